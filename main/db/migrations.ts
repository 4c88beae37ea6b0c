// Migrations are an explicit, ordered list in code: a bundled app cannot read a folder of files
// at run time. Each runs in its own transaction together with the `user_version` bump, so a
// workspace is always at exactly one known version.
//
// Column conventions (they map 1:1 to PostgreSQL for replication):
//   ids            TEXT UUIDv7 made locally
//   *_at, *_date   INTEGER epoch milliseconds, UTC
//   *_g            INTEGER grams
//   flags          INTEGER 0/1
//   site_id        owner site of the row
import type { Database as SqliteDatabase } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}

const ROW = `
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'workspace core: reference data, users, lots, ledger, quality, production, shipments, audit, change log',
    up(db) {
      db.exec(`
        CREATE TABLE workspace (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          workspace_id TEXT NOT NULL,
          home_site_id TEXT NOT NULL,
          -- Second and further PCs of one site get a station code, so their lot codes and
          -- document numbers never collide with the first PC's.
          station_code TEXT NOT NULL DEFAULT '',
          created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE sites (${ROW},
          code TEXT NOT NULL UNIQUE,
          name_ru TEXT NOT NULL,
          name_en TEXT NOT NULL,
          name_zh TEXT,
          address_ru TEXT,
          address_en TEXT,
          address_zh TEXT,
          country TEXT NOT NULL DEFAULT 'RU',
          region TEXT,
          china_reg_no TEXT,
          vet_approval_no TEXT,
          phone TEXT,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;

        CREATE TABLE products (${ROW},
          code TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL CHECK (kind IN ('raw', 'semi', 'finished')),
          gtin TEXT,
          name_ru TEXT NOT NULL,
          name_en TEXT NOT NULL,
          name_zh TEXT,
          latin_name TEXT,
          species_code TEXT,
          production_method TEXT CHECK (production_method IN ('wild', 'farmed')),
          hs_code TEXT,
          shelf_life_days INTEGER NOT NULL CHECK (shelf_life_days > 0),
          -- 1: producing it (freezing) starts the shelf life anew instead of inheriting the
          -- earliest input expiry.
          restarts_shelf_life INTEGER NOT NULL DEFAULT 0 CHECK (restarts_shelf_life IN (0, 1)),
          storage_temp_min REAL,
          storage_temp_max REAL,
          catch_weight INTEGER NOT NULL DEFAULT 0 CHECK (catch_weight IN (0, 1)),
          unit TEXT NOT NULL DEFAULT 'kg' CHECK (unit IN ('kg', 'pcs')),
          nominal_net_g INTEGER,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;
        CREATE UNIQUE INDEX products_gtin ON products(gtin) WHERE gtin IS NOT NULL;

        CREATE TABLE partners (${ROW},
          code TEXT NOT NULL UNIQUE,
          is_supplier INTEGER NOT NULL DEFAULT 0 CHECK (is_supplier IN (0, 1)),
          is_customer INTEGER NOT NULL DEFAULT 0 CHECK (is_customer IN (0, 1)),
          is_consignee INTEGER NOT NULL DEFAULT 0 CHECK (is_consignee IN (0, 1)),
          name_ru TEXT NOT NULL,
          name_en TEXT,
          name_zh TEXT,
          address_ru TEXT,
          address_en TEXT,
          address_zh TEXT,
          country TEXT NOT NULL,
          tax_id TEXT,
          contact TEXT,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;

        CREATE TABLE locations (${ROW},
          code TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('cold_room', 'freezer', 'dock', 'production', 'quarantine', 'dry')),
          temp_min REAL,
          temp_max REAL,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;

        CREATE TABLE equipment (${ROW},
          code TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('smoker', 'line', 'freezer', 'cooker', 'other')),
          capacity_g INTEGER,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;

        CREATE TABLE users (${ROW},
          username TEXT NOT NULL UNIQUE COLLATE NOCASE,
          display_name TEXT NOT NULL,
          password_hash TEXT NOT NULL,
          roles TEXT NOT NULL,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;

        -- Sessions are local to this PC and never replicated.
        CREATE TABLE sessions (
          token_hash TEXT PRIMARY KEY,
          user_id TEXT NOT NULL REFERENCES users(id),
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          revoked_at INTEGER
        ) STRICT;

        -- Document numbers per site, kind and year (R-BFP-2026-000001). Local, not replicated:
        -- the site code inside the number keeps them unique across sites.
        CREATE TABLE counters (
          site_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          period TEXT NOT NULL,
          last INTEGER NOT NULL,
          PRIMARY KEY (site_id, kind, period)
        ) STRICT;

        CREATE TABLE receipts (${ROW},
          number TEXT NOT NULL UNIQUE,
          supplier_id TEXT NOT NULL REFERENCES partners(id),
          received_at INTEGER NOT NULL,
          vehicle TEXT,
          note TEXT,
          created_by TEXT NOT NULL REFERENCES users(id)
        ) STRICT;

        CREATE TABLE lots (${ROW},
          code TEXT NOT NULL UNIQUE,
          product_id TEXT NOT NULL REFERENCES products(id),
          origin TEXT NOT NULL CHECK (origin IN ('receipt', 'production')),
          supplier_id TEXT REFERENCES partners(id),
          receipt_id TEXT REFERENCES receipts(id),
          batch_id TEXT REFERENCES batches(id),
          vet_doc_uuid TEXT,
          catch_area TEXT,
          production_method TEXT,
          produced_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('quarantine', 'released', 'blocked')),
          status_reason TEXT,
          -- Who set the status: an inspection's verdict, or a person by hand (lots.block,
          -- lots.release). Null while quarantined. A manual block is never lifted by an inspection.
          status_source TEXT CHECK (status_source IN ('inspection', 'manual')),
          initial_g INTEGER NOT NULL CHECK (initial_g > 0),
          packages INTEGER
        ) STRICT;
        CREATE INDEX lots_product_expiry ON lots(product_id, expires_at);
        CREATE INDEX lots_expiry ON lots(expires_at);
        CREATE INDEX lots_receipt ON lots(receipt_id);
        CREATE INDEX lots_batch ON lots(batch_id);

        CREATE TABLE receipt_lines (${ROW},
          receipt_id TEXT NOT NULL REFERENCES receipts(id),
          line_no INTEGER NOT NULL,
          product_id TEXT NOT NULL REFERENCES products(id),
          lot_id TEXT NOT NULL REFERENCES lots(id),
          location_id TEXT NOT NULL REFERENCES locations(id),
          vet_doc_uuid TEXT,
          catch_area TEXT,
          produced_at INTEGER NOT NULL,
          arrival_temp REAL,
          gross_g INTEGER NOT NULL CHECK (gross_g > 0),
          tare_g INTEGER NOT NULL CHECK (tare_g >= 0),
          net_g INTEGER NOT NULL CHECK (net_g > 0 AND net_g = gross_g - tare_g),
          packages INTEGER,
          UNIQUE (receipt_id, line_no)
        ) STRICT;

        -- The ledger is append-only: corrections are new movements, never edits.
        CREATE TABLE movements (${ROW},
          at INTEGER NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('receipt', 'transfer', 'consumption', 'output', 'shipment', 'adjustment', 'write_off')),
          lot_id TEXT NOT NULL REFERENCES lots(id),
          product_id TEXT NOT NULL REFERENCES products(id),
          from_location_id TEXT REFERENCES locations(id),
          to_location_id TEXT REFERENCES locations(id),
          qty_g INTEGER NOT NULL CHECK (qty_g > 0),
          ref_type TEXT,
          ref_id TEXT,
          reason TEXT,
          user_id TEXT NOT NULL,
          CHECK (from_location_id IS NOT NULL OR to_location_id IS NOT NULL)
        ) STRICT;
        CREATE INDEX movements_lot ON movements(lot_id, at);
        CREATE INDEX movements_ref ON movements(ref_id);
        CREATE TRIGGER movements_append_only_update BEFORE UPDATE ON movements
          BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;
        CREATE TRIGGER movements_append_only_delete BEFORE DELETE ON movements
          BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;

        -- Current stock: a projection of the ledger kept in the same transaction, so levels
        -- are one indexed read instead of a sum over millions of movements.
        CREATE TABLE stock (
          lot_id TEXT NOT NULL REFERENCES lots(id),
          location_id TEXT NOT NULL REFERENCES locations(id),
          product_id TEXT NOT NULL,
          site_id TEXT NOT NULL,
          expires_at INTEGER NOT NULL,
          qty_g INTEGER NOT NULL CHECK (qty_g >= 0),
          PRIMARY KEY (lot_id, location_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX stock_product ON stock(product_id, expires_at);
        CREATE INDEX stock_location ON stock(location_id);
        CREATE INDEX stock_expiry ON stock(expires_at);

        CREATE TABLE inspection_templates (${ROW},
          code TEXT NOT NULL UNIQUE,
          product_id TEXT REFERENCES products(id),
          stage TEXT NOT NULL CHECK (stage IN ('incoming', 'in_process', 'final')),
          name_ru TEXT NOT NULL,
          name_en TEXT NOT NULL,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;

        CREATE TABLE template_parameters (${ROW},
          template_id TEXT NOT NULL REFERENCES inspection_templates(id),
          ord INTEGER NOT NULL,
          code TEXT NOT NULL,
          name_ru TEXT NOT NULL,
          name_en TEXT NOT NULL,
          name_zh TEXT,
          kind TEXT NOT NULL CHECK (kind IN ('numeric', 'pass_fail', 'text')),
          unit TEXT,
          min_value REAL,
          max_value REAL,
          required INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
          test_code TEXT,
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
          UNIQUE (template_id, code)
        ) STRICT;

        CREATE TABLE inspections (${ROW},
          number TEXT NOT NULL UNIQUE,
          lot_id TEXT NOT NULL REFERENCES lots(id),
          template_id TEXT NOT NULL REFERENCES inspection_templates(id),
          stage TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('open', 'completed')),
          verdict TEXT CHECK (verdict IN ('pass', 'fail')),
          inspector_id TEXT NOT NULL REFERENCES users(id),
          verifier_id TEXT REFERENCES users(id),
          completed_at INTEGER,
          verified_at INTEGER,
          note TEXT
        ) STRICT;
        CREATE INDEX inspections_lot ON inspections(lot_id);
        CREATE INDEX inspections_status ON inspections(status);

        CREATE TABLE inspection_results (${ROW},
          inspection_id TEXT NOT NULL REFERENCES inspections(id),
          parameter_id TEXT NOT NULL REFERENCES template_parameters(id),
          value_num REAL,
          value_bool INTEGER CHECK (value_bool IN (0, 1)),
          value_text TEXT,
          verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'info')),
          -- The limits the value was judged against, copied from the parameter when recorded:
          -- later changes to the template never rewrite a past result.
          min_value REAL,
          max_value REAL,
          unit TEXT,
          source TEXT NOT NULL DEFAULT 'manual',
          recorded_by TEXT NOT NULL,
          recorded_at INTEGER NOT NULL,
          UNIQUE (inspection_id, parameter_id)
        ) STRICT;

        CREATE TABLE batches (${ROW},
          number TEXT NOT NULL UNIQUE,
          product_id TEXT NOT NULL REFERENCES products(id),
          planned_g INTEGER NOT NULL CHECK (planned_g > 0),
          equipment_id TEXT NOT NULL REFERENCES equipment(id),
          planned_start INTEGER NOT NULL,
          planned_end INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
          started_at INTEGER,
          finished_at INTEGER,
          note TEXT,
          CHECK (planned_end > planned_start)
        ) STRICT;
        CREATE INDEX batches_equipment ON batches(equipment_id, planned_start);

        CREATE TABLE batch_inputs (${ROW},
          batch_id TEXT NOT NULL REFERENCES batches(id),
          lot_id TEXT NOT NULL REFERENCES lots(id),
          location_id TEXT NOT NULL REFERENCES locations(id),
          qty_g INTEGER NOT NULL CHECK (qty_g > 0),
          at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX batch_inputs_batch ON batch_inputs(batch_id);
        CREATE INDEX batch_inputs_lot ON batch_inputs(lot_id);

        CREATE TABLE shipments (${ROW},
          number TEXT NOT NULL UNIQUE,
          customer_id TEXT NOT NULL REFERENCES partners(id),
          consignee_id TEXT NOT NULL REFERENCES partners(id),
          planned_date INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('draft', 'shipped', 'cancelled')),
          destination_country TEXT NOT NULL DEFAULT 'CN',
          incoterms TEXT,
          currency TEXT,
          transport TEXT,
          border_crossing TEXT,
          shipped_at INTEGER,
          note TEXT
        ) STRICT;

        CREATE TABLE shipment_containers (${ROW},
          shipment_id TEXT NOT NULL REFERENCES shipments(id),
          container_no TEXT NOT NULL,
          seal_no TEXT,
          UNIQUE (shipment_id, container_no)
        ) STRICT;

        CREATE TABLE shipment_lines (${ROW},
          shipment_id TEXT NOT NULL REFERENCES shipments(id),
          lot_id TEXT NOT NULL REFERENCES lots(id),
          container_id TEXT REFERENCES shipment_containers(id),
          qty_g INTEGER NOT NULL CHECK (qty_g > 0),
          gross_g INTEGER NOT NULL CHECK (gross_g >= qty_g),
          packages INTEGER NOT NULL CHECK (packages > 0)
        ) STRICT;
        CREATE INDEX shipment_lines_shipment ON shipment_lines(shipment_id);
        CREATE INDEX shipment_lines_lot ON shipment_lines(lot_id);

        -- Audit: append-only and hash-chained; audit_head anchors the end of the chain so a
        -- truncated tail is detected too.
        CREATE TABLE audit_log (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          at INTEGER NOT NULL,
          user_id TEXT,
          username TEXT,
          site_id TEXT NOT NULL,
          operation TEXT NOT NULL,
          changes TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        ) STRICT;
        CREATE TABLE audit_head (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          seq INTEGER NOT NULL,
          hash TEXT NOT NULL
        ) STRICT;
        CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

        -- Change log for replication: one row per row change. Each installation (origin = the
        -- workspace id; a site may have several PCs) numbers its changes in one gapless sequence;
        -- site_id is the owner of the changed row.
        CREATE TABLE change_log (
          seq INTEGER PRIMARY KEY,
          origin_id TEXT NOT NULL,
          origin_seq INTEGER NOT NULL,
          site_id TEXT NOT NULL,
          table_name TEXT NOT NULL,
          row_id TEXT NOT NULL,
          op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
          at INTEGER NOT NULL,
          audit_seq INTEGER NOT NULL,
          data TEXT,
          UNIQUE (origin_id, origin_seq)
        ) STRICT;
        CREATE TABLE change_sequences (
          origin_id TEXT PRIMARY KEY,
          last_seq INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'devices: device configuration per PC, sensor samples with hourly history, temperature alerts',
    up(db) {
      db.exec(`
        -- A device belongs to one PC (workspace_id); its code is unique on that PC only.
        -- connection and options hold the parsed configuration (defaults filled in) as JSON.
        CREATE TABLE devices (${ROW},
          workspace_id TEXT NOT NULL,
          code TEXT NOT NULL,
          name TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('scale', 'scanner', 'lab', 'sensor', 'printer')),
          protocol TEXT NOT NULL,
          connection TEXT NOT NULL CHECK (json_valid(connection)),
          options TEXT NOT NULL CHECK (json_valid(options)),
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
          UNIQUE (workspace_id, code)
        ) STRICT;

        CREATE TABLE sensor_alerts (${ROW},
          device_id TEXT NOT NULL REFERENCES devices(id),
          location_id TEXT REFERENCES locations(id),
          equipment_id TEXT REFERENCES equipment(id),
          quantity TEXT NOT NULL CHECK (quantity IN ('temperature', 'humidity')),
          kind TEXT NOT NULL CHECK (kind IN ('above', 'below', 'sensor')),
          limit_value REAL,
          started_at INTEGER NOT NULL,
          peak_value REAL,
          ended_at INTEGER,
          acknowledged_by TEXT REFERENCES users(id),
          acknowledged_at INTEGER,
          note TEXT,
          CHECK (ended_at IS NULL OR ended_at >= started_at),
          CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
        ) STRICT;
        CREATE INDEX sensor_alerts_started ON sensor_alerts(started_at);
        -- At most one open alert per device, quantity and kind.
        CREATE UNIQUE INDEX sensor_alerts_open ON sensor_alerts(device_id, quantity, kind) WHERE ended_at IS NULL;

        -- Raw samples are local to the PC that polled them: neither replicated nor audited (a
        -- sensor every 10 s is millions of rows a year). Pruned after a retention period; the
        -- hourly rollup below keeps the history.
        CREATE TABLE sensor_samples (
          device_id TEXT NOT NULL REFERENCES devices(id),
          quantity TEXT NOT NULL CHECK (quantity IN ('temperature', 'humidity')),
          at INTEGER NOT NULL,
          value REAL,
          error TEXT,
          CHECK (value IS NOT NULL OR error IS NOT NULL),
          PRIMARY KEY (device_id, quantity, at)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX sensor_samples_at ON sensor_samples(at);

        -- Good values per device, quantity and hour, kept up to date with every stored sample.
        CREATE TABLE sensor_hourly (
          device_id TEXT NOT NULL REFERENCES devices(id),
          quantity TEXT NOT NULL CHECK (quantity IN ('temperature', 'humidity')),
          hour_start INTEGER NOT NULL CHECK (hour_start % 3600000 = 0),
          n INTEGER NOT NULL CHECK (n > 0),
          min REAL NOT NULL,
          max REAL NOT NULL,
          sum REAL NOT NULL,
          CHECK (min <= max),
          PRIMARY KEY (device_id, quantity, hour_start)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    name: 'documents: registry of issued documents (numbered per site and type, versions, void) and their PDFs',
    up(db) {
      db.exec(`
        -- One row per issued version. Immutable but for voiding: a reissue is a new row with the
        -- same number and the next version; the earlier versions stay as they were.
        CREATE TABLE documents (${ROW},
          type TEXT NOT NULL CHECK (type IN ('certificate', 'invoice', 'packing_list', 'vet_data', 'origin_application', 'recall')),
          number TEXT NOT NULL,
          version INTEGER NOT NULL CHECK (version >= 1),
          -- The lot code or shipment number the document is about.
          subject_kind TEXT NOT NULL CHECK (subject_kind IN ('lot', 'shipment')),
          subject TEXT NOT NULL,
          lang TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('issued', 'void')),
          void_reason TEXT,
          voided_by TEXT REFERENCES users(id),
          voided_at INTEGER,
          sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
          bytes INTEGER NOT NULL CHECK (bytes > 0),
          issued_by TEXT REFERENCES users(id),
          UNIQUE (site_id, type, number, version),
          CHECK ((status = 'void') = (void_reason IS NOT NULL AND voided_at IS NOT NULL))
        ) STRICT;
        CREATE INDEX documents_subject ON documents(subject);
        CREATE INDEX documents_number ON documents(number);

        -- The PDF of each version, local to this PC: not in the change log (replicating files is
        -- the replication issue's decision). The registry row carries its SHA-256 and size.
        CREATE TABLE document_files (
          document_id TEXT PRIMARY KEY REFERENCES documents(id),
          pdf BLOB NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 4,
    name: 'documents keep the options they were issued with; exports to 1C: a record of each export, its objects and its file',
    up(db) {
      db.exec(`
        -- What a document was rendered with besides its subject and language (an invoice's prices
        -- and currency, incoterms, packing, a signatory), as JSON, so a reissue renders the same.
        ALTER TABLE documents ADD COLUMN options TEXT NOT NULL DEFAULT '{}';

        -- One row per EnterpriseData file written for 1C (replicated: HQ sees what went to 1C).
        CREATE TABLE exports_1c (${ROW},
          -- The period as the user chose it: first and last day (both included), plant local time.
          period_from TEXT NOT NULL CHECK (period_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
          period_to TEXT NOT NULL CHECK (period_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND period_to >= period_from),
          format_version TEXT NOT NULL,
          file_name TEXT NOT NULL,
          sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
          bytes INTEGER NOT NULL CHECK (bytes > 0),
          objects INTEGER NOT NULL CHECK (objects >= 0),
          exported_by TEXT REFERENCES users(id)
        ) STRICT;
        CREATE INDEX exports_1c_created ON exports_1c(created_at);

        -- Each object an export carried (its 1C type, the GUID it has there, the row it came
        -- from), local to this PC like the file itself: answers "when did this receipt go to 1C?".
        CREATE TABLE export_1c_objects (
          export_id TEXT NOT NULL REFERENCES exports_1c(id),
          guid TEXT NOT NULL,
          object_type TEXT NOT NULL,
          source_id TEXT NOT NULL,
          label TEXT NOT NULL,
          PRIMARY KEY (export_id, guid)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX export_1c_objects_source ON export_1c_objects(source_id);

        -- The XML as written, so the same file can be saved again.
        CREATE TABLE export_1c_files (
          export_id TEXT PRIMARY KEY REFERENCES exports_1c(id),
          xml BLOB NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 5,
    name: 'replication: hybrid logical clock on each change, sync settings and state, conflicts reported by headquarters',
    up(db) {
      db.exec(`
        -- The version's hybrid logical clock (see contract/sync.ts); changes captured before
        -- version 5 have none and are sent with one made from their time.
        ALTER TABLE change_log ADD COLUMN hlc TEXT;

        -- This PC's replication: where headquarters is, how often, and where it got to. Local:
        -- the access key never leaves this PC.
        CREATE TABLE sync_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          hq_url TEXT,
          token TEXT,
          interval_min INTEGER NOT NULL DEFAULT 15 CHECK (interval_min BETWEEN 0 AND 1440),
          -- Server sequence up to which rows from headquarters are applied here.
          pull_cursor INTEGER NOT NULL DEFAULT 0 CHECK (pull_cursor >= 0),
          hlc_physical INTEGER NOT NULL DEFAULT 0,
          hlc_logical INTEGER NOT NULL DEFAULT 0,
          -- Server time minus this PC's clock, measured at the last exchange.
          clock_offset_ms INTEGER NOT NULL DEFAULT 0,
          last_attempt_at INTEGER,
          last_success_at INTEGER,
          last_error_code TEXT,
          last_error_ru TEXT,
          last_error_en TEXT,
          last_error_at INTEGER,
          -- Headquarters refused this version: changes wait here until PlantDesk is updated.
          update_required INTEGER NOT NULL DEFAULT 0 CHECK (update_required IN (0, 1)),
          pushed_total INTEGER NOT NULL DEFAULT 0,
          pulled_total INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        INSERT INTO sync_state (id) VALUES (1);

        -- Versions written here that headquarters did not keep (a later version won, or the row
        -- belongs to another site), and rows from headquarters this PC could not take: shown to
        -- the user, never dropped silently.
        CREATE TABLE sync_conflicts (
          id INTEGER PRIMARY KEY,
          at INTEGER NOT NULL,
          side TEXT NOT NULL CHECK (side IN ('hq', 'local')),
          table_name TEXT NOT NULL,
          row_id TEXT NOT NULL,
          reason TEXT NOT NULL,
          kept_hlc TEXT,
          lost_hlc TEXT,
          details TEXT
        ) STRICT;
        CREATE INDEX sync_conflicts_at ON sync_conflicts(at);
      `);
    },
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
