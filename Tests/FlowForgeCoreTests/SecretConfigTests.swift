import FlowForgeCore
import Testing

/// `from_secret` and `image_pull_secret` in flowforge.yml: the Plan carries the secrets' names, never values.
@Suite struct SecretConfigTests {
    func plan(_ yaml: String) throws -> Plan {
        let config = try PipelineConfigParser.parse(yaml)
        guard case .run(let plan) = try PlanCompiler.compile(config, context: TriggerContext(event: "push", branch: "main"), defaultImage: "d") else {
            Issue.record("expected a plan")
            return Plan(steps: [])
        }
        return plan
    }

    @Test func stepsCarrySecretNamesOnlyWhereTheyAsk() throws {
        let plan = try plan("""
            image_pull_secret: registry
            env: {PLAIN: top}
            steps:
              - name: publish
                environment:
                  USER: ci
                  PASSWORD: {from_secret: pypi_token}
                commands: [twine upload]
              - name: test
                image_pull_secret: other-registry.v2
                env: {PASSWORD: not-secret}
                commands: [make test]
            """)
        #expect(plan.steps[0].secrets == ["PASSWORD": "pypi_token"])
        #expect(plan.steps[0].environment == ["PLAIN": "top", "USER": "ci"], "the value never enters the plan")
        #expect(plan.steps[0].imagePullSecret == "registry", "the top-level default")
        #expect(plan.steps[1].secrets.isEmpty)
        #expect(plan.steps[1].environment["PASSWORD"] == "not-secret")
        #expect(plan.steps[1].imagePullSecret == "other-registry.v2", "the step's own wins")
        #expect(plan.secretNames == ["pypi_token", "registry", "other-registry.v2"])
    }

    @Test(arguments: [
        ("env:\n  T: {from_secret: x}\nsteps:\n  - {name: a, commands: [x]}\n",
         "flowforge.yml:2: env.T is a mapping; only a step's env takes a secret"),
        ("steps:\n  - name: a\n    env: {T: {from_secret: 1bad}}\n    commands: [x]\n",
         "steps.a.env.T.from_secret `1bad` is not a valid secret name"),
        ("steps:\n  - name: a\n    env: {T: {form_secret: x}}\n    commands: [x]\n",
         "steps.a.env.T has an unknown key `form_secret` (did you mean `from_secret`?)"),
        ("steps:\n  - name: a\n    env: {T: {}}\n    commands: [x]\n",
         "steps.a.env.T is an empty mapping"),
        ("steps:\n  - name: a\n    env: {A: b}\n    environment: {C: d}\n    commands: [x]\n",
         "steps.a has both `env` and `environment`"),
        ("steps:\n  - name: a\n    image_pull_secret: [x]\n    commands: [x]\n",
         "steps.a.image_pull_secret must be a string, not a list"),
        ("image_pull_secret: 'has space'\nsteps:\n  - {name: a, commands: [x]}\n",
         "image_pull_secret `has space` is not a valid secret name"),
    ])
    func mistakesAreReportedWhereTheyAre(yaml: String, message: String) {
        do {
            _ = try PipelineConfigParser.parse(yaml)
            Issue.record("expected an error containing: \(message)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }
}
