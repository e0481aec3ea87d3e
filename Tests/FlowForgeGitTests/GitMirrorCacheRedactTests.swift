import FlowForgeGit
import Testing

@Suite("Redacting credentials from URLs")
struct GitMirrorCacheRedactTests {
    @Test("userinfo is removed; everything else is kept", arguments: [
        ("https://user:secret@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://x-access-token:ghs_abc@github.com/o/r.git", "https://github.com/o/r.git"),
        ("http://token@127.0.0.1:8080/r.git", "http://127.0.0.1:8080/r.git"),
        ("https://u:p%40ss@host/path/with@sign.git", "https://host/path/with@sign.git"),
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("file:///srv/git/r.git", "file:///srv/git/r.git"),
    ])
    func redacts(url: String, expected: String) {
        #expect(GitMirrorCache.redact(url) == expected)
    }

    @Test("error descriptions name the repository and say what to do")
    func descriptions() {
        let url = "https://host/x.git"
        #expect(GitError.repositoryNotFound(url: url).description
            == "repository https://host/x.git was not found: check the URL and that FlowForge has access")
        #expect(GitError.refNotFound(url: url, ref: "dev").description.contains("branch dev was not found"))
        #expect(GitError.commitNotFound(url: url, sha: "abc1234").description.contains("commit abc1234"))
    }
}
