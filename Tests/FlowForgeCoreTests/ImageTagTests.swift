import FlowForgeCore
import Testing

@Suite struct ImageTagTests {
    @Test func anImageWithoutTagIsRefused() throws {
        let config = try PipelineConfigParser.parse("steps:\n  - { name: build, image: golang, commands: [x] }\n")
        do {
            _ = try PlanCompiler.compile(config, context: push, defaultImage: "d")
            Issue.record("an untagged image compiled")
        } catch {
            #expect(error.message == "step `build`: image `golang` has no tag; name the version to run, like golang:1.2 (or pin a digest with @sha256:…); FlowForge does not assume :latest")
            #expect(error.line == 2)
        }
        let pinned = "steps:\n  - { name: b, image: \"golang@sha256:\(String(repeating: "a", count: 64))\", commands: [x] }\n"
        #expect(try plan(pinned, push).steps[0].image.hasPrefix("golang@sha256:"))
    }

    @Test func theOperatorsDefaultImageMayBeUntagged() throws {
        #expect(try plan("steps:\n  - { name: a, commands: [x] }\n", push, defaultImage: "alpine").steps[0].image == "alpine")
    }

    @Test func pipelineNameIsChecked() throws {
        #expect(try plan("name: lint and test\nsteps:\n  - { name: a, commands: [x] }\n", push).name == "lint and test")
        #expect(try plan("steps:\n  - { name: a, commands: [x] }\n", push).name == "ci")
        let slash = try #require(parseError("name: a/b\nsteps:\n  - { name: a, commands: [x] }\n"))
        #expect(slash.message.contains("name must be 1 to 50"), "\(slash)")
    }
}
