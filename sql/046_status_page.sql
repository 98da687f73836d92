-- The public status page (/status, docs/dashboard.md) shows planned maintenance of its modules with a short note for
-- citizens. The window's `comment` is internal (who, why, ticket numbers): the public one is its own column, empty
-- unless someone writes it (POST /api/alerts/maintenance {publicNote}); the page then shows a standard sentence.
ALTER TABLE maintenance_windows ADD COLUMN public_note text NOT NULL DEFAULT '';
