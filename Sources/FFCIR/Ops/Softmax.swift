import FFCTensor
import Foundation

extension Op {
  /// softmax along `axis` (the last by default).
  public static let softmax: Op = alongAxis(
    "softmax", Kernels.softmax, traits: .boundedOutput,
    range: ValueRange(0, 1, excludesZero: true),
    vjp: { c in
      let axis = c.attributes.int("axis")
      let gy = c.g * c.y
      return [gy - c.y * gy.sum(axes: [axis], keepDims: true).broadcast(to: c.y.shape)]
    },
    jvp: { c in
      let axis = c.attributes.int("axis")
      return c.tangents[0].map { t in
        let ty = t * c.y
        return ty - c.y * ty.sum(axes: [axis], keepDims: true).broadcast(to: c.y.shape)
      }
    })

  /// log(softmax(x)) computed stably as x - max - log Σ exp(x - max).
  public static let logSoftmax: Op = alongAxis(
    "log_softmax", Kernels.logSoftmax, range: ValueRange(-.infinity, 0),
    vjp: { c in
      let axis = c.attributes.int("axis")
      let total = c.g.sum(axes: [axis], keepDims: true).broadcast(to: c.y.shape)
      return [c.g - c.y.apply(Op.exp) * total]
    },
    jvp: { c in
      let axis = c.attributes.int("axis")
      return c.tangents[0].map { t in
        t - (c.y.apply(Op.exp) * t).sum(axes: [axis], keepDims: true).broadcast(to: c.y.shape)
      }
    })

  static let softmaxOps: [Op] = [softmax, logSoftmax]

  private static func alongAxis(
    _ name: String, _ kernel: @escaping @Sendable (Tensor, Int) -> Tensor,
    traits: OpTraits = [], range: ValueRange,
    vjp: @escaping VJPRule, jvp: @escaping JVPRule
  ) -> Op {
    Op(
      name: name, arity: 1, traits: traits.union(.keepsShape),
      inferShape: { shapes, attributes in
        guard shapes[0].rank >= 1, (0..<shapes[0].rank).contains(attributes.int("axis")) else {
          throw ShapeError("'\(name)' needs a value with at least one axis, got \(shapes[0])")
        }
        return shapes[0]
      },
      evaluate: { inputs, attributes, _ in kernel(inputs[0], attributes.int("axis")) },
      vjp: vjp, jvp: jvp,
      call: CallSignature([name], tensors: 1, options: [CallOption("axis", default: -1)]) {
        options, shapes in
        guard shapes[0].rank >= 1 else {
          throw ShapeError("'\(name)' needs a value with at least one axis, got \(shapes[0])")
        }
        return Attributes([
          ("axis", .int(try CallSignature.axis(options["axis"] ?? -1, of: shapes[0], op: name)))
        ])
      },
      samples: [
        OpSample([[3]], Attributes([("axis", .int(0))])),
        OpSample([[2, 3]], Attributes([("axis", .int(1))])),
        OpSample([[2, 3]], Attributes([("axis", .int(0))])),
        OpSample([[2, 3, 2]], Attributes([("axis", .int(1))])),
      ],
      range: { _, _, _ in range })
  }
}
