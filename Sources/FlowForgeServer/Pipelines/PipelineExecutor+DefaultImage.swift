extension PipelineExecutor {
    /// A run that ended because the operator's `DEFAULT_DOCKER_IMAGE` (used for `commands` and for steps
    /// naming no image) could not be had gets a last sentence naming that setting: the user who sent the
    /// pipeline did not choose that image, and `alpine:latest`, the default, is missing on a machine
    /// without a registry.
    static func namingTheDefaultImage(_ result: Result, defaultImage: String) -> Result {
        guard result.status == .error, let error = result.error, error.contains("image \"\(defaultImage)\"") else { return result }
        return Result(
            status: result.status,
            error: error + " (\"\(defaultImage)\" is this server's DEFAULT_DOCKER_IMAGE, used for `commands` and for steps "
                + "without an `image`: name an image in flowforge.yml, or set DEFAULT_DOCKER_IMAGE to one the Docker host has)")
    }
}
