extension PlanCompiler {
    /// The config's services for the plan: the pipeline's `env` under each service's own, images checked
    /// as a step's image is (a valid reference with a tag or digest). A service has no default image, and
    /// matrix values do not reach it: one set of services serves every combination.
    static func services(of config: PipelineConfig) throws(ConfigError) -> [PlanService] {
        var result: [PlanService] = []
        for service in config.services {
            try checkServiceImage(service)
            result.append(PlanService(
                name: service.name, image: service.image, commands: service.commands,
                environment: config.environment.merging(service.environment) { _, own in own },
                secrets: service.secrets, ports: service.ports, imagePullSecret: service.imagePullSecret))
        }
        return result
    }

    private static func checkServiceImage(_ service: ServiceConfig) throws(ConfigError) {
        let image = service.image
        guard !image.isEmpty else {
            throw ConfigError(file: "flowforge.yml", line: service.line, message: """
                service `\(service.name)`: image is empty; name the image the service runs, like postgres:16
                """)
        }
        let reference: ImageReference
        do {
            reference = try ImageReference.parse(image)
        } catch {
            throw ConfigError(file: "flowforge.yml", line: service.line, message: """
                service `\(service.name)`: image `\(image)` is not a valid image reference: \(error.reason); \
                write it like postgres:16 or registry.example.com/team/db:1.2
                """)
        }
        if reference.tag == nil, reference.digest == nil {
            throw ConfigError(file: "flowforge.yml", line: service.line, message: """
                service `\(service.name)`: image `\(image)` has no tag; name the version to run, like \(image):1.2 \
                (or pin a digest with @sha256:…); FlowForge does not assume :latest
                """)
        }
    }
}
