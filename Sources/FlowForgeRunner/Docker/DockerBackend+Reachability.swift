extension DockerBackend {
    /// Why no Docker daemon answers at the configured host right now, or nil when its socket accepts
    /// connections (see `DockerHost.unreachableReason`). Blocks for one local connect only.
    public func unreachableReason() -> String? {
        switch host {
        case .failure(let error): error.description
        case .success(let host): host.unreachableReason().map { "no Docker daemon answers at \(host.text) (\($0))" }
        }
    }
}
