package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// pgDB is a PostgreSQL database named by a postgres:// URL.
type pgDB struct {
	url  *url.URL
	host string // host:port
	name string
}

// parsePostgres reads postgres://user:password@host[:port]/dbname[?param=value...] (also
// postgresql://); the port defaults to 5432, and the query parameters (sslmode, ...) become the
// connection's attributes. Errors quote the URL without its password.
func parsePostgres(raw string) (pgDB, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return pgDB{}, fmt.Errorf("--db: not a URL: %w", err)
	}
	bad := func(what string) error {
		return fmt.Errorf("--db %s: %s; want postgres://user:password@host:port/dbname", u.Redacted(), what)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return pgDB{}, bad(fmt.Sprintf("unsupported scheme %q (only PostgreSQL)", u.Scheme))
	}
	if u.Hostname() == "" {
		return pgDB{}, bad("no host")
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.Contains(name, "/") {
		return pgDB{}, bad("no database name (the URL's path)")
	}
	if u.User == nil || u.User.Username() == "" {
		return pgDB{}, bad("no user")
	}
	for k, v := range u.Query() {
		if len(v) != 1 {
			return pgDB{}, bad(fmt.Sprintf("parameter %q given %d times", k, len(v)))
		}
	}
	return pgDB{url: u, host: net.JoinHostPort(u.Hostname(), port), name: name}, nil
}

// CheckDB reports what is wrong with a PostgreSQL URL for Options.DB, without connecting.
func CheckDB(raw string) error {
	_, err := parsePostgres(raw)
	return err
}

// visibilityName is the database of the visibility store: the main one's name + "_visibility".
// Temporal's main and visibility schemas each keep their version in a table of the same name
// (schema_version), so they cannot share a database.
func (d pgDB) visibilityName() string { return d.name + "_visibility" }

// sqlConfig is Temporal's SQL persistence configuration of database name on d's server.
func (d pgDB) sqlConfig(name string) *config.SQL {
	pw, _ := d.url.User.Password()
	attrs := map[string]string{}
	for k, v := range d.url.Query() {
		attrs[k] = v[0]
	}
	return &config.SQL{
		PluginName:        postgresql.PluginNamePGX,
		DatabaseName:      name,
		ConnectAddr:       d.host,
		ConnectProtocol:   "tcp",
		User:              d.url.User.Username(),
		Password:          pw,
		ConnectAttributes: attrs,
		MaxConns:          20,
		MaxIdleConns:      20,
	}
}

// dsn is a pgx connection string for database name on d's server; without an sslmode it is
// "disable", as for Temporal's own connections.
func (d pgDB) dsn(name string) string {
	u := *d.url
	u.Path = "/" + name
	if q := u.Query(); q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// open connects to database name with database/sql and checks the connection.
func (d pgDB) open(ctx context.Context, name string) (*sql.DB, error) {
	db, err := sql.Open("pgx", d.dsn(name))
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// ensureDatabase creates database name unless it exists, connecting to the server's
// maintenance database "postgres" to do so.
func (d pgDB) ensureDatabase(ctx context.Context, name string) error {
	db, err := d.open(ctx, name)
	if err == nil {
		return db.Close()
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name: no such database
		return fmt.Errorf("devserver: connect to PostgreSQL database %q at %s: %w", name, d.host, err)
	}
	admin, err := d.open(ctx, "postgres")
	if err != nil {
		return fmt.Errorf("devserver: database %q does not exist and the maintenance database to create it is out of reach: %w", name, err)
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, `CREATE DATABASE "`+strings.ReplaceAll(name, `"`, `""`)+`"`)
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created meanwhile
		err = nil
	}
	if err != nil {
		return fmt.Errorf("devserver: create PostgreSQL database %q: %w", name, err)
	}
	return nil
}

// upgradeSchema brings database cfg to the latest version of Temporal's schema schemaName
// (an embedded path such as postgresql/v12/temporal), the way temporal-sql-tool's
// setup-schema -v 0.0 and update-schema do: a fresh database gets the version tables and every
// versioned step, an up-to-date one nothing, an older one the missing steps. Idempotent.
func upgradeSchema(cfg *config.SQL, schemaName string, logger log.Logger) error {
	conn, err := sqltool.NewConnection(cfg, logger)
	if err != nil {
		return fmt.Errorf("devserver: connect to database %q: %w", cfg.DatabaseName, err)
	}
	defer conn.Close()
	if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return fmt.Errorf("devserver: set up schema versioning in %q: %w", cfg.DatabaseName, err)
	}
	up := &schema.UpdateConfig{DBName: cfg.DatabaseName, SchemaName: schemaName}
	if err := schema.NewUpdateSchemaTask(conn, up, logger).Run(); err != nil {
		return fmt.Errorf("devserver: update schema %s in %q: %w", schemaName, cfg.DatabaseName, err)
	}
	return nil
}

// The embedded schemas (go.temporal.io/server/schema) of the main and visibility stores.
const (
	postgresMainSchema       = "postgresql/v12/temporal"
	postgresVisibilitySchema = "postgresql/v12/visibility"
)

// advisoryLockKey is the PostgreSQL advisory lock a server holds on its database while it runs
// (an arbitrary constant: "phasesweep" in ASCII, truncated to 8 bytes).
const advisoryLockKey = 0x7068617365737765

// lockDatabase takes the advisory lock of database name so that two embedded servers never
// run on one database; PostgreSQL drops it when the holding connection closes, also when the
// process is killed. The returned function releases it.
func (d pgDB) lockDatabase(ctx context.Context, name string) (func(), error) {
	db, err := d.open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("devserver: connect to database %q: %w", name, err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("devserver: connect to database %q: %w", name, err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", int64(advisoryLockKey)).Scan(&ok); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("devserver: lock database %q: %w", name, err)
	}
	if !ok {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("devserver: database %q at %s is in use by another sweep server (one database serves one server)", name, d.host)
	}
	return func() { conn.Close(); db.Close() }, nil
}
