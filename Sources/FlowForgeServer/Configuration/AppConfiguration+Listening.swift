extension AppConfiguration {
    /// The configuration as `serve` uses it on `address`: when `API_BASE_URL` is unset, absolute links
    /// (`webhook_url`, OAuth callbacks) point at the address the server really listens on, and an unset
    /// `FRONTEND_URL` follows the API base. A server listening on every interface (`0.0.0.0`, `::`) is
    /// named `127.0.0.1` (`[::1]`): always reachable from this machine, never a guess at a public name;
    /// set `API_BASE_URL` for links that forges and other machines follow.
    public func listening(on address: ServerAddress) -> AppConfiguration {
        var configuration = self
        if apiBaseURLIsDefault {
            configuration.apiBaseURL = address.baseURL
        }
        if frontendURLIsDefault {
            configuration.frontendURL = configuration.apiBaseURL
        }
        return configuration
    }
}

extension ServerAddress {
    /// `http://host:port` for this address, with a wildcard address replaced by its loopback.
    var baseURL: String {
        let host: String
        switch hostname {
        case "0.0.0.0", "": host = "127.0.0.1"
        case "::", "[::]": host = "[::1]"
        default: host = hostname.contains(":") && !hostname.hasPrefix("[") ? "[\(hostname)]" : hostname
        }
        return "http://\(host):\(port)"
    }
}
