                    CREATE TABLE datasets (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        path TEXT NOT NULL,
                        format TEXT NOT NULL,
                        origin TEXT NOT NULL,
                        holdout INTEGER NOT NULL,
                        signature TEXT NOT NULL,
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
                    -- Annotation counts per pair of axes, per dataset, computed when the dataset is
                    -- indexed: a coverage query reads a few hundred rows, never the annotations.
                    CREATE TABLE coverage_counts (
                        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                        row_axis TEXT NOT NULL,
                        row_value TEXT NOT NULL,
                        col_axis TEXT NOT NULL,
                        col_value TEXT NOT NULL,
                        origin TEXT NOT NULL,
                        count INTEGER NOT NULL
                    );
                    CREATE INDEX coverage_by_axes ON coverage_counts(row_axis, col_axis, dataset_id);
                    CREATE TABLE class_counts (
                        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                        category TEXT NOT NULL,
                        annotations INTEGER NOT NULL,
                        images INTEGER NOT NULL,
                        PRIMARY KEY (dataset_id, category)
                    ) WITHOUT ROWID;
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
