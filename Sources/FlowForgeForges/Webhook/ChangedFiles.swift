/// The changed files of a push, from the per-commit lists its payload carries.
enum ChangedFiles {
    /// Most paths kept: a push touching more is taken as touching an unknown set (nil), which `when.path`
    /// treats as matching, rather than storing an unbounded list.
    static let maxPaths = 1000

    /// Every path of `lists` once, in first-seen order; nil past `maxPaths`.
    static func union(_ lists: [[String]]) -> [String]? {
        var seen = Set<String>()
        var result: [String] = []
        for path in lists.joined() where seen.insert(path).inserted {
            result.append(path)
            if result.count > maxPaths { return nil }
        }
        return result
    }
}
