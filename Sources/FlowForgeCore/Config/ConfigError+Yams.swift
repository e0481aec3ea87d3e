import Yams

extension ConfigError {
    /// A Yams error in plain words, at the line Yams reports.
    init(yaml error: YamlError, file: String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) on line \(context.mark.line))"
            }
            self.init(file: file, line: mark.line, column: mark.column, message: message)
        case .reader(let problem, let offset, _, let yaml):
            let line = offset.map { offset in yaml.utf8.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
            self.init(file: file, line: line, message: "the file is not readable text: \(problem); save it as UTF-8")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            self.init(file: file, line: context.mark.line, column: context.mark.column, message: "the key \(keys) appears twice in the same mapping; keep one")
        default:
            self.init(file: file, line: nil, message: "invalid YAML: \(error)")
        }
    }
}
