package devserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/resolver"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// store is where the server keeps its state: the main and the visibility databases, ready
// (schema up to date, namespace created, stale members forgotten).
type store struct {
	main, visibility *config.SQL
	// shards is the number of history shards; fixed when the database is first used.
	shards int32
	// where says where the state is, for messages.
	where string
	// release gives up the exclusive use of the database (nil for SQLite, whose state
	// directory the CLI locks).
	release func()
}

// openSQLite prepares the SQLite file temporal.db in stateDir, creating it on first use. The
// main and visibility stores share the file.
func openSQLite(stateDir string) (store, error) {
	dbPath := filepath.Join(stateDir, "temporal.db")
	cfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "1", // NORMAL: durable against a killed process under WAL
			"busy_timeout": "10000",
		},
	}
	if _, err := os.Stat(dbPath); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(cfg); err != nil {
			_ = os.Remove(dbPath)
			return store{}, fmt.Errorf("devserver: set up schema in %s: %w", dbPath, err)
		}
	}
	return store{main: cfg, visibility: cfg, shards: 1, where: dbPath}, nil
}

// postgresShards is the number of history shards of a PostgreSQL-backed server: more than
// SQLite's one so that a lab server with many workers is not bound to one shard's lock.
const postgresShards = 4

// openPostgres prepares the PostgreSQL database of rawURL (creating it, and its visibility
// database <name>_visibility, when missing; bringing both schemas up to date) and takes its
// advisory lock.
func openPostgres(ctx context.Context, rawURL string, logger log.Logger) (store, error) {
	d, err := parsePostgres(rawURL)
	if err != nil {
		return store{}, err
	}
	st := store{main: d.sqlConfig(d.name), visibility: d.sqlConfig(d.visibilityName()), shards: postgresShards,
		where: fmt.Sprintf("PostgreSQL %s/%s (visibility %s)", d.host, d.name, d.visibilityName())}
	for _, db := range []struct {
		cfg    *config.SQL
		schema string
	}{{st.main, postgresMainSchema}, {st.visibility, postgresVisibilitySchema}} {
		if err := d.ensureDatabase(ctx, db.cfg.DatabaseName); err != nil {
			return store{}, err
		}
		if err := upgradeSchema(db.cfg, db.schema, logger); err != nil {
			return store{}, err
		}
	}
	if st.release, err = d.lockDatabase(ctx, d.name); err != nil {
		return store{}, err
	}
	return st, nil
}

// persistence is the server's persistence configuration of st. One SQLite file serves both
// stores through one data store (the plugin shares its connection).
func (st store) persistence() config.Persistence {
	p := config.Persistence{
		DefaultStore: "main", VisibilityStore: "visibility", NumHistoryShards: st.shards,
		DataStores: map[string]config.DataStore{"main": {SQL: st.main}, "visibility": {SQL: st.visibility}},
	}
	if st.visibility == st.main {
		p.VisibilityStore = "main"
		delete(p.DataStores, "visibility")
	}
	return p
}

// prepare creates the namespace (when missing) and forgets stale cluster members.
func (st store) prepare(namespace string) error {
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return fmt.Errorf("devserver: namespace config: %w", err)
	}
	// CreateNamespaces writes through Temporal's generic SQL layer: any SQL plugin will do.
	if err := sqliteschema.CreateNamespaces(st.main, ns); err != nil {
		return fmt.Errorf("devserver: create namespace %q: %w", namespace, err)
	}
	return forgetMembers(st.main)
}

// forgetMembers deletes the cluster membership records of an earlier server on this state. A
// server killed without shutting down leaves its services registered; the new one would then
// try to join those dead addresses for up to Membership.MaxJoinDuration (30 s) before serving.
// The embedded server is the only node of its cluster, and the caller holds the state
// exclusively (the CLI's lock of the state directory, the PostgreSQL advisory lock), so every
// record found here is stale.
func forgetMembers(cfg *config.SQL) error {
	db, err := sql.NewSQLAdminDB(sqlplugin.DbKindUnknown, cfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("devserver: open state: %w", err)
	}
	defer db.Close()
	if err := db.Exec("DELETE FROM cluster_membership"); err != nil {
		return fmt.Errorf("devserver: clear stale cluster membership: %w", err)
	}
	return nil
}
