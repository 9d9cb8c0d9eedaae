import FFCData
import FFCIR
import Testing

@Suite struct DataBinderMappingTests {
  let perExample = program([
    declaration("x", .input, [3]),
    declaration("y", .target, .scalar),
  ])

  @Test func numberedNamesInAnyOrder() throws {
    let data = try bind("y,x3,x1,x2\n9,3,1,2\n8,6,4,5\n", perExample)
    #expect(data.layout == .perExample && data.rowCount == 2)
    #expect(data.column("x") == Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
    #expect(data.column("y") == Tensor(shape: [2], scalars: [9, 8]))
    let row = data.row(1)
    #expect(row.map(\.name) == ["x", "y"])
    #expect(row[0].value == Tensor(shape: [3], scalars: [4, 5, 6]))
    #expect(row[1].value == Tensor(8))
    #expect(data.row(2).isEmpty)
  }

  @Test func indexedNamesMixedWithNumbered() throws {
    let data = try bind("x[2], x[0],x2,y\n3,1,2,9\n", perExample)
    #expect(data.column("x")?.scalars == [1, 2, 3])
  }

  @Test func rankTwoExamplesUseTwoIndices() throws {
    let graph = program([declaration("m", .input, [2, 2]), declaration("t", .target, .scalar)])
    let data = try bind("t,\"m[1,1]\",\"m[0, 1]\",\"m[1 , 0]\",\"m[0,0]\"\n5,4,2,3,1\n", graph)
    #expect(data.column("m") == Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 4]))
    let numbered = try bind("m4,m3,m2,m1,t\n4,3,2,1,5\n", graph)
    #expect(numbered.column("m")?.scalars == [1, 2, 3, 4])
  }

  @Test func positionalWhenNoHeaderNameMatches() throws {
    let iris = try classifier(classes: 3, batch: true)  // Z[N, 3], y[N]
    let csv = "sepal_length,sepal_width,petal_length,species\n5.1,3.5,1.4,0\n4.9,3,1.4,2\n"
    let data = try bind(csv, iris)
    #expect(data.layout == .batch && data.rowCount == 2)
    #expect(data.column("Z") == Tensor(shape: [2, 3], scalars: [5.1, 3.5, 1.4, 4.9, 3, 1.4]))
    #expect(data.column("y") == Tensor(shape: [2], scalars: [0, 2]))
    #expect(data.symbols.map(\.symbol) == ["N"] && data.symbols.map(\.size) == [2])
    #expect(try bind("1,2,3,1\n", iris).column("y")?.scalars == [1])
  }

  @Test func positionalWidthsMustAddUp() throws {
    let iris = try classifier(classes: 3, batch: true)
    let wide = try bindError("a,b,c,d,e\n1,2,3,4,0\n", iris)
    #expect(summary(wide) == "data.column-count 1:9")
    #expect(
      wide?.message
        == "expected 4 columns (Z: 3, y: 1), found 5; no header name matches a declaration, so the columns go to the declarations in order"
    )
    let narrow = try bindError("1,2,0\n", iris)
    #expect(summary(narrow) == "data.column-count 1:6")
    #expect(narrow?.message == "expected 4 columns (Z: 3, y: 1), found 3")
  }

  /// digits.csv: `p0..p63,digit` for `input X[N, 64]; label digit[N]`.
  @Test func unmatchedColumnsFillUnnamedDeclarationsInOrder() throws {
    let graph = program([
      declaration("X", .input, [.symbol("N"), 4]), declaration("digit", .label, [.symbol("N")]),
    ])
    let data = try bind("p0,p1,p2,p3,digit\n1,2,3,4,7\n5,6,7,8,1\n", graph)
    #expect(data.column("X")?.scalars == [1, 2, 3, 4, 5, 6, 7, 8])
    #expect(data.column("digit")?.scalars == [7, 1])
  }

  @Test func unknownColumnsSuggestAName() throws {
    let graph = program([
      declaration("sepal_length", .input, .scalar), declaration("y", .target, .scalar),
    ])
    let typo = try bindError("sepal_lenght,y,z\n1,2,3\n", graph)
    #expect(summary(typo) == "data.unknown-column 1:1")
    #expect(
      typo?.message
        == "column 'sepal_lenght' names no data declaration; did you mean 'sepal_length'?")
    let pastTheEnd = try bindError("x1,x2,x3,x4,y\n1,2,3,4,5\n", perExample)
    #expect(summary(pastTheEnd) == "data.unknown-column 1:10")
    #expect(
      pastTheEnd?.message
        == "column 'x4' names no data declaration; 'x' takes 3 columns, 'x1' to 'x3'")
  }

  @Test func unmatchedColumnsMustFitExactly() throws {
    let graph = program([declaration("x", .input, [2]), declaration("y", .target, .scalar)])
    let extra = try bindError("y,foo,bar,baz\n1,2,3,4\n", graph)
    #expect(summary(extra) == "data.unknown-column 1:3")
    #expect(
      extra?.message
        == "column 'foo' names no data declaration, and the 3 columns that name none do not fit, in order, the declarations no column names (x: 2)"
    )
    let allNamed = try bindError("x1,x2,y,qqqq\n1,2,3,4\n", graph)
    #expect(allNamed?.message == "column 'qqqq' names no data declaration")
  }

  @Test func aDeclarationNamedByOneColumnNeedsAll() throws {
    let partial = try bindError("x1,x3,y\n1,3,9\n", perExample)
    #expect(summary(partial) == "data.missing-column 1:1")
    #expect(partial?.message == "the header names some columns of 'x' but not 'x2'")
    let indexed = try bindError("x[0],y,z\n1,9,3\n", perExample)
    #expect(indexed?.message == "the header names some columns of 'x' but not 'x[1]', 'x[2]'")
  }

  @Test func aColumnMappedTwiceIsAnError() throws {
    let twice = try bindError("x1,x2,x3,x[0],y\n1,2,3,1,9\n", perExample)
    #expect(summary(twice) == "data.duplicate-column 1:10")
    #expect(twice?.message == "columns 'x1' and 'x[0]' both feed 'x[0]'")
    #expect(
      try bindError("y,x1,x2,x3,y\n1,2,3,1,9\n", perExample)?.message == "column 'y' appears twice")
  }

  @Test func aDeclarationWithoutColumnsUsesItsDefault() throws {
    let graph = program([
      declaration("x", .input, [2]), declaration("y", .target, .scalar, default: Tensor(5)),
    ])
    let data = try bind("x1,x2\n1,2\n3,4\n", graph)
    #expect(data.columns.map(\.name) == ["x"])
    #expect(data.defaults.map(\.name) == ["y"])
    #expect(data.row(1).map(\.name) == ["x", "y"])
    #expect(data.row(1)[1].value == Tensor(5))
  }

  @Test func aDeclarationWithoutColumnsOrDefaultIsMissing() throws {
    let missing = try bindError("x1,x2,x3\n1,2,3\n", perExample)
    #expect(summary(missing) == "data.missing-column 1:1")
    #expect(
      missing?.message
        == "no column for target 'y' and it has no default; name a column 'y' or give --set y=...")
  }

  @Test func setDeclarationsTakeNoColumns() throws {
    let data = try bind("1,2,3\n", perExample, set: ["y"])
    #expect(data.columns.map(\.name) == ["x"])
    let named = try bindError("x1,x2,x3,y\n1,2,3,4\n", perExample, set: ["y"])
    #expect(summary(named) == "data.set-column 1:10")
    #expect(
      named?.message
        == "column 'y' feeds 'y', which --set already gives; remove the column or the --set")
  }
}

@Suite struct DataBinderLayoutTests {
  @Test func batchDefaultsMustMatchTheRowCount() throws {
    let graph = program([
      declaration("X", .input, [.symbol("N"), 2]),
      declaration(
        "t", .target, [.symbol("N")], default: Tensor(shape: [4], scalars: [0, 1, 1, 0])),
    ])
    let data = try bind("X1,X2\n0,0\n0,1\n1,0\n1,1\n", graph)
    #expect(data.feeds.map(\.name) == ["X", "t"])
    let short = try bindError("X1,X2\n0,0\n0,1\n", graph)
    #expect(short?.id == "data.shape")
    #expect(short?.message == "the default of 't' makes 'N' = 4, but the data has 2 rows")
  }

  @Test func batchDeclarationsWithoutABatchAxisNeedADefault() throws {
    let fixed = program([
      declaration("X", .input, [.symbol("N"), 2]), declaration("w", .input, [2]),
    ])
    let error = try bindError("1,2\n", fixed)
    #expect(error?.id == "data.shape")
    #expect(
      error?.message
        == "'w' is declared [2], without a batch dimension, so it cannot come from the rows of a CSV; give it a default or use --set w=..."
    )
    let withDefault = program([
      declaration("X", .input, [.symbol("N"), 2]),
      declaration("w", .input, [2], default: Tensor(shape: [2], scalars: [1, 1])),
    ])
    #expect(try bind("1,2\n3,4\n", withDefault).defaults.map(\.name) == ["w"])
  }

  /// Examples as columns: the rows of the file become the columns of X[4, N].
  @Test func aBatchAxisLastTakesTheRowsAsColumns() throws {
    let graph = program([declaration("X", .input, [2, .symbol("N")])])
    let data = try bind("1,2\n3,4\n5,6\n", graph)
    #expect(data.columns[0].value == Tensor(shape: [2, 3], scalars: [1, 3, 5, 2, 4, 6]))
  }

  @Test func onlyOneDimensionCanComeFromRows() throws {
    let location = SourceFile(path: "net.ffn", text: "input X[M, N]\n").range(6, 13)
    let graph = program([
      Declaration(
        name: "X", kind: .input, node: NodeID(0), shape: [.symbol("M"), .symbol("N")],
        location: location)
    ])
    let error = try bindError("1,2,3,4\n", graph)
    #expect(error?.id == "data.shape")
    #expect(error?.locationText == "net.ffn:1:7")
    #expect(error?.message.contains("so only one size may be symbolic") == true)
  }

  @Test func perExampleDefaultsAreTheSameForEveryRow() throws {
    let graph = program([
      declaration("x", .input, .scalar),
      declaration("b", .input, [2], default: Tensor(shape: [2], scalars: [7, 8])),
    ])
    let data = try bind("x\n1\n2\n", graph)
    #expect(data.layout == .perExample)
    #expect(data.row(0)[1].value == Tensor(shape: [2], scalars: [7, 8]))
    #expect(data.row(1)[0].value == Tensor(2))
  }
}

@Suite struct DataBinderLabelTests {
  @Test func labelsMustBeClassIndices() throws {
    let graph = try classifier(classes: 3, batch: true)
    let csv = "a,b,c,species\n1,2,3,0\n1,2,3,2\n1,2,3,3\n"
    let range = try bindError(csv, graph)
    #expect(summary(range) == "data.label-range 4:7")
    #expect(range?.message == "label 3 is out of range for 'species' → 'y': classes are 0..2")
    #expect(
      render(range, csv) == """
        data.csv:4:7: error: label 3 is out of range for 'species' → 'y': classes are 0..2
         4 | 1,2,3,3
           |       ^

        """)
    let notWhole = try bindError("1,2,3,1.5\n", graph)
    #expect(summary(notWhole) == "data.label-not-whole 1:7")
    #expect(
      notWhole?.message
        == "label 1.5 for 'y' is not a whole number; labels are class indices in 0..2")
    #expect(summary(try bindError("1,2,3,-1\n", graph)) == "data.label-range 1:7")
  }

  @Test func perExampleLabelsToo() throws {
    let graph = try classifier(classes: 2, batch: false)
    #expect(try bind("Z1,Z2,y\n1,2,1\n", graph).column("y")?.scalars == [1])
    #expect(summary(try bindError("Z1,Z2,y\n1,2,1\n1,2,2\n", graph)) == "data.label-range 3:5")
    let wide = try bindError(
      "x[0],y\n1,9\n", program([declaration("x", .input, [3]), declaration("y", .target, .scalar)]))
    #expect(wide?.message == "'x' takes 3 columns ('x1' to 'x3'), but the file has 2")
  }

  @Test func labelsNoOpReadsMustBeWholeAndNotNegative() throws {
    let graph = program([declaration("c", .label, .scalar)])
    #expect(try bind("c\n0\n41\n", graph).column("c")?.scalars == [0, 41])
    let negative = try bindError("c\n-2\n", graph)
    #expect(negative?.message == "label -2 for 'c' is negative; labels are class indices from 0")
    #expect(summary(try bindError("c\n0.5\n", graph)) == "data.label-not-whole 2:1")
  }
}
