-- GitHub names ignore case, and lookups compare them lower-cased. Rows written before names were
-- lower-cased on the way in are lower-cased here, so lookups can use plain `=` and the full_name index.
-- A mixed-case row whose lower-cased twin already exists for the same installation is the same
-- repository twice: it goes first, or the primary key would refuse the update.
DELETE FROM github_installation_repositories
WHERE full_name <> LOWER(full_name)
  AND EXISTS (
      SELECT 1 FROM github_installation_repositories twin
      WHERE twin.installation_id = github_installation_repositories.installation_id
        AND twin.full_name = LOWER(github_installation_repositories.full_name)
  );
UPDATE github_installation_repositories SET full_name = LOWER(full_name) WHERE full_name <> LOWER(full_name);
