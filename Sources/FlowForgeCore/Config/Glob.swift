/// Branch-name globs as `when.branch` uses them.
///
/// `*` matches any run of characters except `/` (it stays within one path segment), `**` matches any run
/// including `/`, `?` matches one character other than `/`; every other character matches itself.
/// So `release/*` matches `release/1.0` but not `release/1.0/hotfix`, which `release/**` matches.
public enum Glob {
    private enum Token: Equatable {
        case literal(Character)
        case one          // ?
        case segment      // *
        case anything     // **
    }

    public static func matches(_ pattern: String, _ value: String) -> Bool {
        let tokens = tokenize(pattern)
        let chars = Array(value)
        // reachable[j]: the tokens consumed so far can match chars[0..<j]. Dynamic programming keeps the
        // cost at O(pattern × value), where naive backtracking on `*` is exponential.
        var reachable = [Bool](repeating: false, count: chars.count + 1)
        reachable[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: chars.count + 1)
            for j in 0...chars.count {
                switch token {
                case .literal(let c):
                    if j > 0, reachable[j - 1], chars[j - 1] == c { next[j] = true }
                case .one:
                    if j > 0, reachable[j - 1], chars[j - 1] != "/" { next[j] = true }
                case .segment:
                    // Either match nothing here, or extend a match by one non-slash character.
                    next[j] = reachable[j] || (j > 0 && next[j - 1] && chars[j - 1] != "/")
                case .anything:
                    next[j] = reachable[j] || (j > 0 && next[j - 1])
                }
            }
            reachable = next
        }
        return reachable[chars.count]
    }

    private static func tokenize(_ pattern: String) -> [Token] {
        var tokens: [Token] = []
        for c in pattern {
            switch c {
            case "?": tokens.append(.one)
            case "*":
                if tokens.last == .segment {
                    tokens[tokens.count - 1] = .anything
                } else if tokens.last != .anything {
                    tokens.append(.segment)
                }
            default: tokens.append(.literal(c))
            }
        }
        return tokens
    }
}
