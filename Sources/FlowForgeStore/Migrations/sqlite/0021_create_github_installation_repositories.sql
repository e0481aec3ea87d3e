-- The repositories each GitHub App installation can reach (full names), so a repository's installation
-- (and with it a token for cloning and statuses) is found by name.
CREATE TABLE github_installation_repositories (
    installation_id INTEGER NOT NULL REFERENCES github_installations(id) ON DELETE CASCADE,
    full_name TEXT NOT NULL,
    PRIMARY KEY (installation_id, full_name)
);
CREATE INDEX github_installation_repositories_full_name ON github_installation_repositories (full_name);
