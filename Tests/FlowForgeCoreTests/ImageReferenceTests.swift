import FlowForgeCore
import Testing

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("alpine", nil, "alpine", nil, "alpine:latest"),
        ("alpine:3.20", nil, "alpine", "3.20", "alpine:3.20"),
        ("library/alpine:latest", nil, "library/alpine", "latest", "library/alpine:latest"),
        ("flowforge-test/busybox:latest", nil, "flowforge-test/busybox", "latest", "flowforge-test/busybox:latest"),
        ("ghcr.io/owner/tool:1.2", "ghcr.io", "owner/tool", "1.2", "ghcr.io/owner/tool:1.2"),
        ("localhost/x", "localhost", "x", nil, "localhost/x:latest"),
        ("registry.example.com:5000/a/b_c__d-e--f.g", "registry.example.com:5000", "a/b_c__d-e--f.g", nil,
         "registry.example.com:5000/a/b_c__d-e--f.g:latest"),
        ("[2001:db8::1]:5000/x:1", "[2001:db8::1]:5000", "x", "1", "[2001:db8::1]:5000/x:1"),
        ("127.0.0.1:5000/evil:1", "127.0.0.1:5000", "evil", "1", "127.0.0.1:5000/evil:1"),
    ] as [(String, String?, String, String?, String)])
    func validReferencesParse(text: String, registry: String?, path: String, tag: String?, pull: String) throws {
        let reference = try ImageReference.parse(text)
        #expect(reference.registry == registry)
        #expect(reference.path == path)
        #expect(reference.tag == tag)
        #expect(reference.pullReference == pull)
    }

    @Test func registryHostDropsPortAndBrackets() throws {
        #expect(try ImageReference.parse("[::1]:5000/x").registryHost == "::1")
        #expect(try ImageReference.parse("127.0.0.1:5000/evil:1").registryHost == "127.0.0.1")
        #expect(try ImageReference.parse("Registry.Example.com/x").registryHost == "Registry.Example.com")
        #expect(try ImageReference.parse("alpine").registryHost == nil)
    }

    @Test func digestsParse() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let reference = try ImageReference.parse("alpine:3@\(digest)")
        #expect(reference.digest == digest && reference.tag == "3")
        #expect(try ImageReference.parse("alpine@\(digest)").pullReference == "alpine@\(digest)")
    }

    @Test(arguments: [
        "", "../../containers/json?all=1&x=", "Alpine", "alpine:", ":tag", "alpine/", "/alpine", "a//b",
        "alpine:-x", "alpine:.x", "alpine:" + String(repeating: "t", count: 129), "al pine", "alpine\n",
        "alpine@sha256:abc", "alpine@md5", "a..b", "a/-b", "a/b-", "host:99999/x", "host:/x", "[::1/x",
        "[zzz]:5000/x", "-host.com/x", "ex ample.com/x", "alpine?x=1", "alpine#frag", "alpine%2f..",
        "a/" + String(repeating: "b", count: 260),
    ])
    func invalidReferencesAreRefused(text: String) {
        #expect(throws: ImageReferenceError.self) { try ImageReference.parse(text) }
    }

    @Test func hostileNameFailsCompilationWithAClearMessage() throws {
        let config = try PipelineConfigParser.parse("""
            steps:
              - name: probe
                image: ../../containers/json?all=1&x=
                commands: [x]
            """)
        #expect(throws: ConfigError.self) {
            try PlanCompiler.compile(config, context: push, defaultImage: "alpine")
        }
        do {
            _ = try PlanCompiler.compile(config, context: push, defaultImage: "alpine")
        } catch {
            #expect(error.description.contains("step `probe`: image `../../containers/json?all=1&x=` is not a valid image reference"))
            #expect(error.line == 2)
        }
    }

    @Test func emptyImageIsAnErrorNotTheDefault() throws {
        let config = try PipelineConfigParser.parse("steps:\n  - name: a\n    image: \"\"\n    commands: [x]\n")
        #expect(throws: ConfigError.self) { try PlanCompiler.compile(config, context: push, defaultImage: "alpine") }
    }
}

@Suite struct IPAddressClassTests {
    @Test(arguments: [
        // IPv4 special-purpose registry
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.255", "127.0.0.1", "127.8.8.8",
        "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.1", "192.0.0.170", "192.0.2.1", "192.31.196.1",
        "192.52.193.1", "192.88.99.1", "192.168.1.1", "192.175.48.1", "198.18.0.1", "198.19.255.255", "198.51.100.7",
        "203.0.113.9", "224.0.0.1", "239.255.255.255", "240.0.0.1", "255.255.255.255",
        // IPv6 special-purpose registry
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0:127.0.0.1",
        "::127.0.0.1", "::8.8.8.8", "64:ff9b::7f00:1", "64:ff9b::808:808", "64:ff9b:1::1", "100::1", "2001::1",
        "2001:0:4136:e378::1", "2001:1ff::1", "2001:db8::1", "2002:7f00:1::1", "2002:808:808::1", "3fff::1",
        "5f00::1", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "febf::1", "fec0::1", "ff02::1", "ff0e::1",
        // bracketed literals, as in URLs
        "[::1]", "[fe80::1%25eth0]", "[::ffff:127.0.0.1]", "[64:ff9b::a00:1]",
        // not addresses at all
        "", "localhost", "1.2.3", "01.2.3.4", "1.2.3.4.5", "::1::1", "[::1", "8.8.8.8/32",
    ])
    func refused(address: String) {
        #expect(!IPAddressClass.isPublic(address), "\(address) should be refused")
    }

    @Test(arguments: [
        "8.8.8.8", "1.1.1.1", "140.82.112.3", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1",
        "192.0.1.1", "192.88.98.1", "198.17.255.255", "198.20.0.1", "223.255.255.255", "::ffff:8.8.8.8",
        "2606:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2a00:1450:4001::1", "[2606:4700::1111]",
    ])
    func allowed(address: String) {
        #expect(IPAddressClass.isPublic(address), "\(address) should be allowed")
    }
}
