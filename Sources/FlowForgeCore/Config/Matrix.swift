/// A `matrix:` block: axes whose cartesian product gives combinations, plus `include:` combinations.
///
/// Each combination runs every step once, as a chain of its own beside the others, with the combination's
/// values as environment variables.
public struct Matrix: Sendable, Equatable {
    /// One `KEY: [values]` line, in file order.
    public struct Axis: Sendable, Equatable {
        public var key: String
        public var values: [String]

        public init(key: String, values: [String]) {
            self.key = key
            self.values = values
        }
    }

    /// One variable of a combination.
    public struct Variable: Sendable, Equatable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public var axes: [Axis]
    /// Extra combinations, each listed whole (`include: [{GO: "1.23", DB: pg}]`), after the product's.
    public var include: [[Variable]]

    /// Most combinations a matrix may have: each runs every step, so this bounds a file's cost.
    public static let maxCombinations = 32

    public init(axes: [Axis] = [], include: [[Variable]] = []) {
        self.axes = axes
        self.include = include
    }

    /// The product of the axes in file order (the first axis varies slowest), then `include`, without
    /// repeating a combination already produced.
    public var combinations: [[Variable]] {
        var result: [[Variable]] = []
        if !axes.isEmpty {
            result = [[]]
            for axis in axes {
                result = result.flatMap { prefix in axis.values.map { prefix + [Variable(key: axis.key, value: $0)] } }
            }
        }
        for extra in include where !result.contains(extra) {
            result.append(extra)
        }
        return result
    }

    /// `name (KEY=value, …)`: how a step of one combination is named.
    public static func stepName(_ name: String, _ combination: [Variable]) -> String {
        guard !combination.isEmpty else { return name }
        return name + " (" + combination.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
    }
}
