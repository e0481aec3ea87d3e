-- 1: GET /badge/<id>.svg answers anyone with the last pipeline's result; 0 (the default): 404, as for an unknown id.
ALTER TABLE repositories ADD COLUMN public_badge INTEGER NOT NULL DEFAULT 0;
