/// `commands` of a pipeline request: a list of strings, or one string for a single command, as
/// `flowforge.yml` accepts.
struct CommandList: Decodable {
    let values: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            values = [one]
            return
        }
        do {
            values = try container.decode([String].self)
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count == decoder.codingPath.count {
            // Neither a string nor a list: say both are fine (an item of the wrong type keeps its own error).
            throw DecodingError.typeMismatch(CommandList.self, context)
        }
    }
}
