/// What `flowforge serve --help` adds below the options: the settings a first run most often needs.
/// Every setting, with its meaning, is in `.env.example`.
public enum ServeHelp {
    public static let discussion = """
        Settings come from environment variables, read over `.env.local` and `.env` in the working
        directory (the real environment wins). The ones that matter most:

          DATABASE_URL            postgres://user:password@host:5432/db; unset: SQLite in the data directory
          FLOWFORGE_DATA_DIR      data directory (database, logs, mirrors, generated secrets); default ./.flowforge
          DOCKER_HOST             Docker or Podman API socket; default unix:///var/run/docker.sock
          FLOWFORGE_BACKEND       docker (default); local runs steps as plain processes, NOT isolated;
                                  auto: docker when its socket answers at start, else local
          API_BASE_URL            public URL of this server, for webhook_url and links; default: the address
                                  serve listens on (0.0.0.0 becomes 127.0.0.1)
          FRONTEND_URL            dashboard URL in commit statuses; default API_BASE_URL
          DEFAULT_DOCKER_IMAGE    image for `commands` and steps naming none; default alpine:latest, which a
                                  machine without a registry must load first (docker load)
          FLOWFORGE_ALLOW_LOCAL_REPOS  true lets pipelines clone loopback/private repo_url (self-hosted only)
          JWT_SECRET, API_KEY_SALT, FLOWFORGE_ENCRYPTION_KEY  generated into the data directory when unset
          LOG_LEVEL               trace, debug, info (default), notice, warning, error, critical

        See .env.example for every setting and its meaning.
        """
}
