import FlowForgeCore
import Testing

/// `artifacts:` on a step and `cache:` at the top: parsed, kept inside the workspace, compiled into the Plan.
@Suite struct ArtifactConfigTests {
    @Test func artifactsAndCacheReachThePlan() throws {
        let plan = try plan("""
            cache: [.cache/pip, ./node_modules/]
            steps:
              - name: build
                commands: [make]
                artifacts: [dist/**, ./report.xml]
              - name: one
                commands: [make one]
                artifacts: out.bin
              - name: test
                commands: [make test]
            """, push)
        #expect(plan.cache == [".cache/pip", "node_modules"])
        #expect(plan.steps.map(\.artifacts) == [["dist/**", "report.xml"], ["out.bin"], []])
    }

    @Test(arguments: [
        ("../secrets", "`..`"), ("dist/../../etc/passwd", "`..`"), ("/etc/passwd", "absolute"),
        ("~/.ssh/id_rsa", "absolute"), ("", "empty"), ("a\\\\b", "backslash"),
    ])
    func patternsThatLeaveTheWorkspaceAreRefused(pattern: String, reason: String) throws {
        let error = try #require(parseError("""
            steps:
              - name: build
                commands: [make]
                artifacts: ["ok/*", "\(pattern)"]
            """))
        #expect(error.line == 4)
        #expect(error.message.contains("steps.build.artifacts[1]"))
        #expect(error.message.contains("`\(pattern.replacing("\\\\", with: "\\"))`"), "names the pattern: \(error.message)")
        #expect(error.message.contains(reason), "\(error.message)")
    }

    @Test func anEscapingCachePathIsRefused() throws {
        let error = try #require(parseError("cache: [../../home]\nsteps:\n  - {name: a, commands: [x]}\n"))
        #expect(error.message.contains("cache[0] `../../home`"), "\(error.message)")
    }

    @Test func anEmptyListIsRefused() throws {
        let error = try #require(parseError("steps:\n  - {name: a, commands: [x], artifacts: []}\n"))
        #expect(error.message.contains("steps.a.artifacts is empty"), "\(error.message)")
    }

    @Test func patternsMatchFilesAndWholeFolders() {
        #expect(WorkspacePattern.matches(["dist"], "dist/a/b.txt"))
        #expect(WorkspacePattern.matches(["dist/*.txt"], "dist/b.txt"))
        #expect(!WorkspacePattern.matches(["dist/*.txt"], "dist/a/b.txt"))
        #expect(WorkspacePattern.matches(["dist/**/*.txt"], "dist/a/b.txt"))
        #expect(!WorkspacePattern.matches(["dist"], "distant.txt"))
        #expect(WorkspacePattern.mayMatchBelow(["dist/*.txt"], folder: "dist"))
        #expect(!WorkspacePattern.mayMatchBelow(["dist/*.txt"], folder: "src"))
        #expect(WorkspacePattern.mayMatchBelow(["**/*.xml"], folder: "a/b"))
    }

    @Test func aPlansFileSetsStorageLimits() throws {
        let catalog = try PlanCatalog.parse("""
            plans:
              - {id: free, name: Free, price: 0, pipeline_runs: 1, compute_minutes: 1, concurrent_builds: 1, storage: {artifacts: 2m, cache: 0}}
              - {id: big, name: Big, price: 1, pipeline_runs: 1, compute_minutes: 1, concurrent_builds: 1}
            """, fileName: "plans.yml")
        #expect(catalog.free.storage == PlanStorageLimits(artifactBytes: 2 << 20, cacheBytes: 0))
        #expect(catalog.plan(id: "big")?.storage == .standard)
        #expect(PlanCatalog.standard.free.storage.artifactBytes == 1 << 30)
    }

    @Test func theDocumentedExamplesCompileAsDescribed() throws {
        let build = try DocsExamplesTests.example(containing: "report.xml")
        #expect(build.steps[0].artifacts == ["dist", "report.xml", "coverage/**/*.json"])
        let python = try DocsExamplesTests.example(containing: "cache: [.cache/pip, .venv]")
        #expect(python.cache == [".cache/pip", ".venv"])
    }
}
