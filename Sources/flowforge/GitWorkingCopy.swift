import Foundation

/// What `flowforge run` tells steps about the working copy's git state, read from `.git` directly (no
/// git needed): the current branch and commit, when there is a repository.
struct GitWorkingCopy {
    let directory: URL

    private var headText: String? {
        let head = directory.appendingPathComponent(".git/HEAD")
        return (try? String(contentsOf: head, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The branch HEAD points at; nil for a detached HEAD or no repository.
    var branch: String? {
        guard let head = headText, head.hasPrefix("ref: refs/heads/") else { return nil }
        return String(head.dropFirst("ref: refs/heads/".count))
    }

    /// The commit HEAD resolves to, from a loose ref or `packed-refs`; nil when unknown (no commit yet).
    var head: String? {
        guard let head = headText else { return nil }
        guard head.hasPrefix("ref: ") else { return head.count == 40 ? head : nil }
        let reference = String(head.dropFirst("ref: ".count))
        let loose = directory.appendingPathComponent(".git").appendingPathComponent(reference)
        if let text = try? String(contentsOf: loose, encoding: .utf8) {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let packed = (try? String(contentsOf: directory.appendingPathComponent(".git/packed-refs"), encoding: .utf8)) ?? ""
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + reference) {
            return String(line.prefix(40))
        }
        return nil
    }
}
