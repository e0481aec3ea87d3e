import Yams

/// Reads `services:`, a list (`- name: db …`) or a mapping (`db: {…}`), in file order.
struct ServiceReader {
    static let serviceKeys = ["name", "image", "commands", "env", "environment", "ports", "image_pull_secret"]
    /// Each service is a container for the whole run: a handful is what real pipelines use.
    static let maxServices = 10
    static let maxPorts = 20
    static let maxNameLength = 63

    let reader: ConfigReader

    func services(_ node: Node) throws(ConfigError) -> [ServiceConfig] {
        var services: [ServiceConfig] = []
        switch node {
        case .sequence(let sequence):
            try checkCount(sequence.count, node)
            for (index, item) in sequence.enumerated() {
                services.append(try service(item, givenName: nil, path: "services[\(index)]"))
            }
        case .mapping:
            let entries = try reader.entries(node, path: "services")
            try checkCount(entries.count, node)
            for (name, keyNode, value) in entries {
                try checkName(name, keyNode)
                var service = try service(value, givenName: name, path: "services.\(name)")
                service.line = keyNode.mark?.line
                services.append(service)
            }
        default:
            throw reader.error(node, "services must be a list of services (`- name: db`), not \(reader.kind(node))")
        }
        // Unique names and ports are checked by `PipelineConfigValidator`, which hand-built configs pass too.
        return services
    }

    private func checkCount(_ count: Int, _ node: Node) throws(ConfigError) {
        guard count <= Self.maxServices else {
            throw reader.error(node, "services has \(count) services, over the limit of \(Self.maxServices)")
        }
    }

    /// A service's name labels its container and titles its log section, so it keeps to a host name's
    /// characters.
    private func checkName(_ name: String, _ node: Node) throws(ConfigError) {
        let scalars = Array(name.unicodeScalars)
        let letterOrDigit = { (scalar: Unicode.Scalar) in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
        }
        let valid = scalars.count <= Self.maxNameLength && scalars.first.map(letterOrDigit) == true
            && scalars.allSatisfy { letterOrDigit($0) || "-_.".unicodeScalars.contains($0) }
        guard valid else {
            throw reader.error(node, """
                the service name \(name.debugDescription) is not valid; use 1 to \(Self.maxNameLength) letters, digits, \
                `-`, `_` or `.`, starting with a letter or digit (like postgres or redis-cache)
                """)
        }
    }

    private func service(_ node: Node, givenName: String?, path: String) throws(ConfigError) -> ServiceConfig {
        let entries = try reader.entries(node, path: path)
        var name = givenName
        var path = path
        if givenName == nil, let entry = entries.first(where: { $0.key == "name" }) {
            let value = try reader.string(entry.value, path: "\(path).name")
            try checkName(value, entry.value)
            name = value
            path = "services.\(value)"
        }
        try reader.checkKnown(entries, path: path, known: Self.serviceKeys)
        guard let name else {
            throw reader.error(node, "\(path) has no `name`; every service needs one (steps reach it on localhost, its log is titled by it)")
        }
        var service = ServiceConfig(name: name, image: "", line: node.mark?.line)
        var sawImage = false
        for (key, keyNode, value) in entries {
            switch key {
            case "name":
                if givenName != nil {
                    throw reader.error(keyNode, "\(path) is named by its key; remove `name:` or write services as a list")
                }
            case "image":
                sawImage = true
                service.image = try reader.string(value, path: "\(path).image")
            case "commands":
                service.commands = try reader.strings(value, path: "\(path).commands")
                if let index = service.commands.firstIndex(where: { $0.trimmingWhitespace().isEmpty }) {
                    throw reader.error(value, "\(path).commands[\(index)] is an empty command; remove it")
                }
            case "env", "environment":
                if entries.contains(where: { $0.key == "env" }) && entries.contains(where: { $0.key == "environment" }) {
                    throw reader.error(keyNode, "\(path) has both `env` and `environment`; they are the same key, keep one")
                }
                (service.environment, service.secrets) = try reader.stepEnvironment(value, path: "\(path).\(key)")
            case "ports": service.ports = try ports(value, path: "\(path).ports")
            default: service.imagePullSecret = try reader.secretName(value, path: "\(path).image_pull_secret")
            }
        }
        guard sawImage else {
            throw reader.error(node, "\(path) has no `image`; name the image the service runs, like postgres:16")
        }
        return service
    }

    /// `ports: [5432]` or `ports: 5432`; numbers (or digits in quotes), 1–65535, none twice.
    private func ports(_ node: Node, path: String) throws(ConfigError) -> [Int] {
        let items: [Node]
        if case .sequence(let sequence) = node { items = Array(sequence) } else { items = [node] }
        guard items.count <= Self.maxPorts else {
            throw reader.error(node, "\(path) lists \(items.count) ports, over the limit of \(Self.maxPorts)")
        }
        var ports: [Int] = []
        for (index, item) in items.enumerated() {
            let text = try reader.string(item, path: "\(path)[\(index)]")
            guard text.allSatisfy(\.isASCII), let port = Int(text), (1...65535).contains(port) else {
                throw reader.error(item, """
                    \(path)[\(index)] must be a TCP port number from 1 to 65535 (the port the service listens on \
                    inside the pod, like 5432), not `\(text.prefix(40))`
                    """)
            }
            guard !ports.contains(port) else {
                throw reader.error(item, "\(path) lists port \(port) twice; list it once")
            }
            ports.append(port)
        }
        return ports
    }
}
