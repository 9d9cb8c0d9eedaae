"""Writes the safetensors and NumPy fixtures that the Swift tests read (FFCFormatsTests,
FFCDataTests): files made by the Python packages themselves, so `swift test` checks ffc against
them without needing Python. Run with numpy and safetensors installed:
    python Tests/Fixtures/formats/make_fixtures.py
The values are small whole numbers and halves, exact in every dtype used."""
import os
import zipfile

import numpy as np
from safetensors.numpy import save_file

here = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(here, name)


save_file(
    {
        "a": np.array([[1, -2, 3.5], [0.25, -0.5, 6]], dtype=np.float32),
        "b": np.array([1.5, -2.25, 1e300, -0.0], dtype=np.float64),
        "h": np.array([1, -0.5, 65504], dtype=np.float16),
        "i": np.array([[1, -2], [3, 4]], dtype=np.int64),
        "u": np.array([0, 7, 255], dtype=np.uint8),
        "s": np.array(2.5, dtype=np.float32),
        "fc1.weight": np.arange(6, dtype=np.float32).reshape(3, 2),
    },
    path("mixed.safetensors"),
    metadata={"format": "np"},
)

x = np.array([[1, 2, 3], [4, 5, 6.5]], dtype=np.float32)
np.save(path("x_f32.npy"), x)
np.save(path("x_f64_big.npy"), x.astype(">f8"))
np.save(path("y_i64.npy"), np.array([0, 2], dtype=np.int64))
np.save(path("x_fortran.npy"), np.asfortranarray(x.astype(np.float64)))
np.save(path("t_rank3.npy"), np.arange(24, dtype=np.int16).reshape(2, 3, 4))
np.savez(path("xy.npz"), X=x, y=np.array([0, 2], dtype=np.int32))
np.savez_compressed(path("xy_deflate.npz"), X=x, y=np.array([0, 2], dtype=np.int32))
# Larger and varied, so zlib writes dynamic-Huffman blocks (matches and literals); and the same
# archive with level-0 deflate, which is stored blocks inside a deflate stream.
big = (np.arange(3000, dtype=np.float64) % 97) * 0.25 - np.sin(np.arange(3000))
np.savez_compressed(path("big_deflate.npz"), big=big.reshape(30, 100))
with zipfile.ZipFile(path("big_stored_deflate.npz"), "w", zipfile.ZIP_DEFLATED, compresslevel=0) as z:
    with z.open("big.npy", "w") as member:
        np.lib.format.write_array(member, big.reshape(30, 100))
np.save(path("big_deflate_expected.npy"), big.reshape(30, 100))

# Members larger than ffc's 64 KiB inflate pieces and 64k-element chunks, so a read crosses many
# pieces and back-references: values exact in f64 and f32, checked by formula in the test.
i = np.arange(70000)
np.savez_compressed(
    path("large_deflate.npz"),
    big=((i % 97) * 0.25 + (i % 13)).astype(np.float64).reshape(700, 100),
    small=((i % 89) - 40.5).astype(np.float32))

# xy_deflate.npz with the CRC-32 of its first member changed, in the local and central headers.
data = bytearray(open(path("xy_deflate.npz"), "rb").read())
for signature, crc_at in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
    at = data.index(signature)
    data[at + crc_at] ^= 0xFF
open(path("xy_deflate_bad_crc.npz"), "wb").write(bytes(data))
