internal import GRDB

/// The catalog's tables. Everything but `jobs` and `job_events` is a cache of the files and can be
/// rebuilt from them.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // v1 made the cache tables of the first shape too; v2 replaces them (a catalog from then
        // has them, a new one does not: v2 drops them if they exist).
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        id TEXT PRIMARY KEY,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL,
                        dataset TEXT,
                        spec TEXT NOT NULL,
                        done INTEGER NOT NULL DEFAULT 0,
                        total INTEGER NOT NULL DEFAULT 0,
                        pid INTEGER,
                        exit_status INTEGER,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    CREATE TABLE job_events (
                        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        time REAL NOT NULL,
                        kind TEXT NOT NULL,
                        body TEXT NOT NULL,
                        PRIMARY KEY (job_id, seq)
                    );
                    """)
        }
        // v2: counts are kept for the axes an annotation has a value on (and continuous attributes
        // only in bands), keyed so commits add to them in place; a dataset's files are summed
        // into an order-independent signature a commit updates without listing the folder. The
        // cache tables are rebuilt from the files; jobs and their events stay.
        migrator.registerMigration("v2") { db in try rebuildCache(db) }
        // v3: dataset health. Measures are kept per image file (dataset, path, size, time), apart
        // from the sample rows, so re-indexing a dataset does not throw them away: an image is
        // decoded and measured once, and again only when its file changes. The last health run's
        // findings and domain gap per coverage cell are replaced whole by each run.
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    CREATE TABLE image_measures (
                        dataset TEXT NOT NULL,
                        path TEXT NOT NULL,
                        file_size INTEGER NOT NULL,
                        mtime INTEGER NOT NULL,
                        width INTEGER NOT NULL,
                        height INTEGER NOT NULL,
                        brightness REAL NOT NULL,
                        contrast REAL NOT NULL,
                        sharpness REAL NOT NULL,
                        noise REAL NOT NULL,
                        colourfulness REAL NOT NULL,
                        grayscale INTEGER NOT NULL,
                        phash INTEGER NOT NULL,
                        pixel_hash INTEGER NOT NULL,
                        PRIMARY KEY (dataset, path)
                    ) WITHOUT ROWID;
                    CREATE TABLE health_runs (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        finished_at REAL NOT NULL,
                        measured INTEGER NOT NULL,
                        reused INTEGER NOT NULL
                    );
                    CREATE TABLE health_datasets (
                        position INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        images INTEGER NOT NULL
                    );
                    CREATE TABLE health_issues (
                        id INTEGER PRIMARY KEY,
                        dataset TEXT NOT NULL,
                        path TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        detail TEXT NOT NULL
                    );
                    CREATE INDEX health_issues_by_path ON health_issues(dataset, path, kind);
                    CREATE INDEX health_issues_by_kind ON health_issues(kind, dataset);
                    CREATE TABLE domain_gap (
                        row_axis TEXT NOT NULL,
                        col_axis TEXT NOT NULL,
                        row_value TEXT NOT NULL,
                        col_value TEXT NOT NULL,
                        auc REAL,
                        real INTEGER NOT NULL,
                        synthetic INTEGER NOT NULL,
                        PRIMARY KEY (row_axis, col_axis, row_value, col_value)
                    ) WITHOUT ROWID;
                    """)
        }
        // v4: distances, heights, truncation and gait phase are counted in bands (they were
        // measurements on no axis): the cache is rebuilt from the files; health and jobs stay.
        migrator.registerMigration("v4") { db in try rebuildCache(db) }
        return migrator
    }

    /// Drops the tables that are a cache of the files and makes them empty: the next refresh
    /// indexes every dataset again.
    static func rebuildCache(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TABLE IF EXISTS class_counts;
                DROP TABLE IF EXISTS coverage_counts;
                DROP TABLE IF EXISTS annotation_attributes;
                DROP TABLE IF EXISTS sample_attributes;
                DROP TABLE IF EXISTS annotations;
                DROP TABLE IF EXISTS samples;
                DROP TABLE IF EXISTS categories;
                DROP TABLE IF EXISTS datasets;
                \(cacheTables)
                """)
    }

    /// The tables that are a cache of the files.
    static let cacheTables = """
        CREATE TABLE datasets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            origin TEXT NOT NULL,
            holdout INTEGER NOT NULL,
            -- Every file of the folder (hidden ones aside): how many, and the sum of their hashes.
            file_count INTEGER NOT NULL,
            file_hash INTEGER NOT NULL,
            indexed_at REAL NOT NULL,
            images INTEGER NOT NULL,
            annotations INTEGER NOT NULL,
            problems INTEGER NOT NULL
        );
        CREATE TABLE categories (
            dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            category_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (dataset_id, category_id)
        );
        CREATE TABLE samples (
            id INTEGER PRIMARY KEY,
            dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            file_size INTEGER NOT NULL,
            mtime INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            split TEXT,
            origin TEXT NOT NULL,
            provenance TEXT,
            UNIQUE (dataset_id, path)
        );
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
            dataset_id INTEGER NOT NULL,
            category TEXT NOT NULL,
            x REAL, y REAL, w REAL, h REAL,
            area REAL NOT NULL,
            iscrowd INTEGER NOT NULL
        );
        CREATE INDEX annotations_by_sample ON annotations(sample_id);
        CREATE INDEX annotations_by_category ON annotations(dataset_id, category, sample_id);
        CREATE TABLE sample_attributes (
            sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (sample_id, key)
        ) WITHOUT ROWID;
        CREATE TABLE annotation_attributes (
            annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (annotation_id, key)
        ) WITHOUT ROWID;
        -- Annotations per value of one axis (col_axis = '') and per pair of values of two axes
        -- (axes in name order), per dataset and origin, counted over the axes each annotation
        -- has a value on: a coverage query reads a few hundred rows and derives "(unset)".
        CREATE TABLE coverage_counts (
            dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            row_axis TEXT NOT NULL,
            row_value TEXT NOT NULL,
            col_axis TEXT NOT NULL,
            col_value TEXT NOT NULL,
            origin TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (dataset_id, row_axis, col_axis, row_value, col_value, origin)
        ) WITHOUT ROWID;
        CREATE TABLE class_counts (
            dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            category TEXT NOT NULL,
            annotations INTEGER NOT NULL,
            images INTEGER NOT NULL,
            PRIMARY KEY (dataset_id, category)
        ) WITHOUT ROWID;
        """
}
