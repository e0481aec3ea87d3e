import Testing
@testable import FlowForgeForges

@Suite("Webhook signatures")
struct SignatureTests {
    static let vectorSecret = "It's a Secret to Everybody"
    static let vectorBody = Array("Hello, World!".utf8)
    static let vectorSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test("GitHub's published test vector signs and verifies")
    func githubTestVector() {
        #expect(WebhookSignature.sha256Header(body: Self.vectorBody, secret: Self.vectorSecret) == Self.vectorSignature)
        let request = WebhookRequest(headers: ["X-Hub-Signature-256": Self.vectorSignature], body: Self.vectorBody)
        #expect(GitHubForge().verify(request, secret: Self.vectorSecret))
        #expect(!GitHubForge().verify(request, secret: Self.vectorSecret + " "))
    }

    @Test("upper-case hex digits verify too")
    func upperCaseHex() {
        let request = WebhookRequest(headers: ["x-hub-signature-256": Self.vectorSignature.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256=")], body: Self.vectorBody)
        #expect(GitHubForge().verify(request, secret: Self.vectorSecret))
    }

    @Test("every stored body verifies as signed", arguments: Fixtures.all)
    func signedFixtureVerifies(_ fixture: FixtureCase) throws {
        #expect(fixture.forge.verify(try fixture.request(), secret: Fixtures.secret))
    }

    @Test("changing any one byte of a signed body fails its signature", arguments: Fixtures.all.filter { $0.forge.name != "gitlab" })
    func changedByteFails(_ fixture: FixtureCase) throws {
        let original = try fixture.request()
        // First, middle and last byte: a check that only looked at part of the body would miss one.
        for index in [0, original.body.count / 2, original.body.count - 1] {
            var tampered = original
            tampered.body[index] ^= 0x01
            #expect(!fixture.forge.verify(tampered, secret: Fixtures.secret), "byte \(index) of \(fixture.name)")
        }
    }

    @Test("a missing, malformed or wrong signature fails", arguments: Fixtures.all)
    func missingOrWrongFails(_ fixture: FixtureCase) throws {
        let request = try fixture.request()
        let signatureHeader = ["x-hub-signature-256", "x-hub-signature", "x-gitlab-token", "x-flowforge-signature"]
            .first { request.headers[$0] != nil }
        let header = try #require(signatureHeader)

        var missing = request
        missing.headers[header] = nil
        #expect(!fixture.forge.verify(missing, secret: Fixtures.secret))

        var malformed = request
        malformed.headers[header] = "sha256=not-hex"
        #expect(!fixture.forge.verify(malformed, secret: Fixtures.secret))

        #expect(!fixture.forge.verify(request, secret: "another-secret"))
        #expect(!fixture.forge.verify(request, secret: ""), "an empty secret must accept nothing")
    }

    @Test("the generic git forge checks X-FlowForge-Signature")
    func genericGitSignature() {
        let body = Array(#"{"repository":"team/app","ref":"refs/heads/main","after":"1111111111111111111111111111111111111111"}"#.utf8)
        let forge = GenericGitForge(cloneBaseURL: "https://git.example.com")
        let request = Fixtures.signed(body, forge: forge, event: "push")
        #expect(forge.verify(request, secret: Fixtures.secret))
        var tampered = request
        tampered.body[10] ^= 0x20
        #expect(!forge.verify(tampered, secret: Fixtures.secret))
        #expect(!forge.verify(WebhookRequest(headers: [:], body: body), secret: Fixtures.secret))
    }

    @Test("a signature of the wrong length or scheme fails")
    func wrongLengthOrScheme() {
        let truncated = String(Self.vectorSignature.dropLast(2))
        let sha1 = Self.vectorSignature.replacingOccurrences(of: "sha256=", with: "sha1=")
        for header in [truncated, sha1, "sha256=", Self.vectorSignature + "00"] {
            let request = WebhookRequest(headers: ["x-hub-signature-256": header], body: Self.vectorBody)
            #expect(!GitHubForge().verify(request, secret: Self.vectorSecret), "\(header)")
        }
    }
}
