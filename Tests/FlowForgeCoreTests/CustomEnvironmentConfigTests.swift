import FlowForgeCore
import Testing

/// `image: {dockerfile: path}`: a step's image built from a Dockerfile of the workspace.
@Suite struct CustomEnvironmentConfigTests {
    @Test func aDockerfileOnTheStepOrAtTheTopReachesThePlan() throws {
        let top = try plan("""
            image: {dockerfile: ./ci//Dockerfile}
            steps:
              - { name: build, commands: [make] }
              - { name: lint, image: "golangci:1.0", commands: [lint] }
              - name: docs
                image:
                  dockerfile: docs/Dockerfile
                commands: [mkdocs]
            """, push)
        #expect(top.steps.map(\.dockerfile) == ["ci/Dockerfile", nil, "docs/Dockerfile"])
        #expect(top.steps.map(\.image) == ["", "golangci:1.0", ""], "a built image is named by the server, not the file")
        #expect(top.dockerfiles == ["ci/Dockerfile", "docs/Dockerfile"])

        // A top-level image reference beats nothing on the step; a step's Dockerfile beats the top's image.
        let mixed = try plan("image: \"alpine:3.20\"\nsteps:\n  - { name: a, commands: [x] }\n  - { name: b, image: {dockerfile: Dockerfile}, commands: [x] }\n", push)
        #expect(mixed.steps.map(\.dockerfile) == [nil, "Dockerfile"])
        #expect(mixed.steps.map(\.image) == ["alpine:3.20", ""])
        #expect(try plan("steps:\n  - { name: a, commands: [x] }\n", push).dockerfiles.isEmpty)
    }

    @Test func aPathOutsideTheWorkspaceIsRefusedAtItsLine() throws {
        let cases: [(String, String)] = [
            ("../Dockerfile", "contains `..`"),
            ("ci/../../etc/Dockerfile", "contains `..`"),
            ("/etc/Dockerfile", "is an absolute path"),
            ("\"\"", "is empty"),
            ("ci/", "names a folder"),
        ]
        for (path, message) in cases {
            let error = try #require(parseError("steps:\n  - name: a\n    image: {dockerfile: \(path)}\n    commands: [x]\n"))
            #expect(error.message.contains("steps.a.image.dockerfile") && error.message.contains(message), "\(path): \(error.message)")
            #expect(error.line == 3, "\(path)")
        }
        let top = try #require(parseError("image: {dockerfile: ../x}\nsteps:\n  - { name: a, commands: [x] }\n"))
        #expect(top.message.hasPrefix("image.dockerfile `../x` contains `..`"), "\(top.message)")
        let unknown = try #require(parseError("image: {file: Dockerfile}\nsteps:\n  - { name: a, commands: [x] }\n"))
        #expect(unknown.message.contains("unknown key `file`") && unknown.message.contains("dockerfile"), "\(unknown.message)")
    }

    @Test func theCommandsFormTakesADockerfile() {
        let plan = PlanCompiler.commandsPlan(commands: ["make"], image: "default:1", environment: [:], dockerfile: "Dockerfile")
        #expect(plan.steps[0].dockerfile == "Dockerfile" && plan.steps[0].image == "")
        #expect(PlanCompiler.commandsPlan(commands: ["make"], image: "default:1", environment: [:]).steps[0].image == "default:1")
    }
}

@Suite struct PlanFeatureTests {
    @Test func proAndEnterpriseGrantCustomEnvironmentsAndFreeDoesNot() throws {
        let catalog = PlanCatalog.standard
        let granted = catalog.plans.map { catalog.grants(PlanCatalog.customEnvironments, to: $0) }
        #expect(granted == [false, true, true])
        #expect(catalog.cheapestPlan(granting: PlanCatalog.customEnvironments)?.id == "pro")
    }
}

@Suite struct DockerfileBasesTests {
    @Test func basesAreReadAsTheBuilderReadsThem() {
        let text = """
            # syntax comment
            ARG BASE=alpine
            ARG VERSION="3.20"
            FROM --platform=linux/amd64 ${BASE}:$VERSION AS builder
            RUN make
            FROM builder AS test
            FROM \\
              debian:12-slim
            COPY --from=builder /out /out
            FROM scratch
            FROM team/${UNKNOWN}:1
            """
        #expect(DockerfileBases.bases(of: text) == [.image("alpine:3.20"), .image("debian:12-slim"), .unresolved("team/${UNKNOWN}:1")])
    }
}
