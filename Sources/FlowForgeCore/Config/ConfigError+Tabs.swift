import Yams

extension ConfigError {
    /// A YAML error caused by a tab in a line's indentation, said in those words.
    ///
    /// YAML indents with spaces only; libyaml reports a tab there as "found character that cannot start any
    /// token" or a mapping it cannot find, which does not point at the tab. A tab inside a value is fine, so
    /// the text is only looked at once the parser has failed, and the line named is the first one up to the
    /// failure whose indentation holds a tab.
    static func tabIndentation(in text: String, failure: YamlError, file: String) -> ConfigError? {
        let failedLine: Int
        switch failure {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            failedLine = mark.line
        default:
            return nil
        }
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if number > failedLine { break }
            let indentation = line.prefix(while: { $0 == " " || $0 == "\t" })
            // A line of blanks alone indents nothing.
            if indentation.contains("\t"), indentation.count < line.count {
                let column = indentation.prefix(while: { $0 != "\t" }).count + 1
                return ConfigError(file: file, line: number, column: column, message: """
                    tabs are not allowed for indentation; indent with spaces (line \(number) starts with a tab)
                    """)
            }
        }
        return nil
    }
}
