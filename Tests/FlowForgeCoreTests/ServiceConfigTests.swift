import FlowForgeCore
import Testing

/// `services:` in flowforge.yml: parsed, validated and carried into the Plan for every backend.
@Suite struct ServiceConfigTests {
    @Test func servicesReachThePlanWithTheirSettings() throws {
        let plan = try plan("""
            env: {SHARED: top, OVERRIDDEN: top}
            services:
              - name: postgres
                image: postgres:16
                environment:
                  POSTGRES_PASSWORD: {from_secret: db_password}
                  OVERRIDDEN: service
                ports: [5432]
              - name: web
                image: flowforge-test/busybox:latest
                image_pull_secret: registry
                commands: [httpd -f -p 8080]
                ports: 8080
            steps:
              - { name: test, image: "alpine:3.20", commands: [make test] }
            """, push)
        #expect(plan.services.map(\.name) == ["postgres", "web"])
        #expect(plan.services[0] == PlanService(
            name: "postgres", image: "postgres:16", environment: ["SHARED": "top", "OVERRIDDEN": "service"],
            secrets: ["POSTGRES_PASSWORD": "db_password"], ports: [5432]))
        #expect(plan.services[1].commands == ["httpd -f -p 8080"])
        #expect(plan.services[1].ports == [8080])
        #expect(plan.services[1].imagePullSecret == "registry")
        #expect(plan.services[1].script?.contains("httpd -f -p 8080\n") == true)
        #expect(plan.services[0].script == nil, "no commands: the image's own command runs")
        #expect(plan.secretNames == ["db_password", "registry"], "a service's secrets are resolved like a step's")
        #expect(plan.services[0].logName == "service postgres")
    }

    @Test func theMappingFormNamesServicesByKey() throws {
        let plan = try plan("""
            services:
              cache: {image: "redis:7", ports: ["6379"]}
            steps:
              - { name: a, commands: [x] }
            """, push)
        #expect(plan.services == [PlanService(name: "cache", image: "redis:7", ports: [6379])])
    }

    @Test func aPipelineWithoutServicesHasNone() throws {
        #expect(try plan("steps:\n  - { name: a, commands: [x] }\n", push).services.isEmpty)
    }

    @Test(arguments: [
        ("services:\n  - {name: db, image: \"postgres:16\"}\n  - {name: db, image: \"redis:7\"}\nsteps:\n  - {name: a, commands: [x]}\n",
         "two services are named `db`; service names must be unique", 3),
        ("services:\n  - {name: test, image: \"postgres:16\"}\nsteps:\n  - {name: test, commands: [x]}\n",
         "the step `test` has the name of the service `test`; rename one of them (their output would share a log section)", 4),
        ("services:\n  - {name: db, image: \"postgres:16\"}\nsteps:\n  - {name: service db, commands: [x]}\n",
         "the step `service db` has the name of the service `db`; rename one of them (their output would share a log section)", 4),
        ("services:\n  - {name: db, image: \"postgres:16\", ports: [0]}\nsteps:\n  - {name: a, commands: [x]}\n",
         "services.db.ports[0] must be a TCP port number from 1 to 65535 (the port the service listens on inside the pod, like 5432), not `0`", 2),
        ("services:\n  - {name: db, image: \"postgres:16\", ports: [65536]}\nsteps:\n  - {name: a, commands: [x]}\n",
         "services.db.ports[0] must be a TCP port number from 1 to 65535 (the port the service listens on inside the pod, like 5432), not `65536`", 2),
        ("services:\n  - {name: db, image: \"postgres:16\", ports: [http]}\nsteps:\n  - {name: a, commands: [x]}\n",
         "services.db.ports[0] must be a TCP port number from 1 to 65535 (the port the service listens on inside the pod, like 5432), not `http`", 2),
        ("services:\n  - {name: db, image: \"postgres:16\", ports: [5432, 5432]}\nsteps:\n  - {name: a, commands: [x]}\n",
         "services.db.ports lists port 5432 twice; list it once", 2),
        ("services:\n  - {name: a, image: \"x:1\", ports: [80]}\n  - {name: b, image: \"y:1\", ports: [80]}\nsteps:\n  - {name: a1, commands: [x]}\n",
         "services `a` and `b` both list port 80; services share the pipeline's network (localhost), so only one can listen on a port", 3),
        ("services:\n  - {name: db}\nsteps:\n  - {name: a, commands: [x]}\n",
         "services.db has no `image`; name the image the service runs, like postgres:16", 2),
        ("services:\n  - {image: \"postgres:16\"}\nsteps:\n  - {name: a, commands: [x]}\n",
         "services[0] has no `name`; every service needs one (steps reach it on localhost, its log is titled by it)", 2),
        ("services:\n  - {name: \"my db\", image: \"postgres:16\"}\nsteps:\n  - {name: a, commands: [x]}\n",
         "the service name \"my db\" is not valid; use 1 to 63 letters, digits, `-`, `_` or `.`, starting with a letter or digit (like postgres or redis-cache)", 2),
        ("services:\n  - {name: db, image: \"postgres:16\", port: [5432]}\nsteps:\n  - {name: a, commands: [x]}\n",
         "services.db has an unknown key `port` (did you mean `ports`?); known keys are: commands, env, environment, image, image_pull_secret, name, ports", 2),
        ("services: postgres\nsteps:\n  - {name: a, commands: [x]}\n",
         "services must be a list of services (`- name: db`), not a single value", 1),
    ])
    func configErrorsNameTheProblem(yaml: String, message: String, line: Int) throws {
        let error = try #require(parseError(yaml))
        #expect(error.message == message)
        #expect(error.line == line)
    }

    @Test(arguments: [
        ("postgres", "service `db`: image `postgres` has no tag; name the version to run, like postgres:1.2 (or pin a digest with @sha256:…); FlowForge does not assume :latest"),
        ("", "service `db`: image is empty; name the image the service runs, like postgres:16"),
        ("Postgres:16", "service `db`: image `Postgres:16` is not a valid image reference"),
    ])
    func serviceImagesFollowTheStepRules(image: String, message: String) throws {
        let config = try PipelineConfigParser.parse("services:\n  - {name: db, image: \"\(image)\"}\nsteps:\n  - {name: a, commands: [x]}\n")
        do {
            _ = try PlanCompiler.compile(config, context: push, defaultImage: "d")
            Issue.record("compiled with service image \(image.debugDescription)")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.line == 2)
        }
    }

    @Test func tooManyServicesAreRefused() throws {
        let services = (0...10).map { "  - {name: s\($0), image: \"x:1\"}" }.joined(separator: "\n")
        let error = try #require(parseError("services:\n\(services)\nsteps:\n  - {name: a, commands: [x]}\n"))
        #expect(error.message == "services has 11 services, over the limit of 10")
    }

    @Test func theDocumentedExamplesCompileAsDescribed() throws {
        let web = try DocsExamplesTests.example(containing: "httpd -f -p 8080")
        #expect(web.services.map(\.name) == ["web"])
        #expect(web.services[0].ports == [8080])
        let database = try DocsExamplesTests.example(containing: "image: postgres:16")
        #expect(database.services[0].commands.isEmpty, "the image's own command")
        #expect(database.services[0].secrets == ["POSTGRES_PASSWORD": "db_password"])
        #expect(database.secretNames == ["db_password"])
    }
}
