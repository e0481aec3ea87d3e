-- The pipeline's name from flowforge.yml's name: (NULL until the file is read, then the default ci if it has none).
ALTER TABLE pipelines ADD COLUMN name TEXT;
