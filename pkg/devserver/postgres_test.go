package devserver

import (
	"strings"
	"testing"
)

func TestParsePostgres(t *testing.T) {
	d, err := parsePostgres("postgres://sweep:s%40cret@db.lab:6543/temporal?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	cfg := d.sqlConfig(d.name)
	// Expected values read off the URL by hand: %40 is '@'.
	if cfg.ConnectAddr != "db.lab:6543" || cfg.User != "sweep" || cfg.Password != "s@cret" || cfg.DatabaseName != "temporal" ||
		cfg.ConnectAttributes["sslmode"] != "require" || cfg.PluginName != "postgres12_pgx" {
		t.Errorf("config %+v", cfg)
	}
	if d.visibilityName() != "temporal_visibility" {
		t.Errorf("visibility database %q", d.visibilityName())
	}
	if d, err := parsePostgres("postgresql://u@h/db"); err != nil || d.host != "h:5432" || d.dsn("other") != "postgresql://u@h/other?sslmode=disable" {
		t.Errorf("default port and sslmode: %+v %v", d, err)
	}
	if got := d.dsn("temporal_visibility"); got != "postgres://sweep:s%40cret@db.lab:6543/temporal_visibility?sslmode=require" {
		t.Errorf("dsn %s", got)
	}
}

func TestParsePostgresErrors(t *testing.T) {
	cases := []struct{ url, want string }{
		{"mysql://u:p@h:1/db", `unsupported scheme "mysql"`},
		{"postgres://u:p@h:1/", "no database name"},
		{"postgres://u:p@:1/db", "no host"},
		{"postgres://h:1/db", "no user"},
		{"postgres://u:p@h:1/db?sslmode=a&sslmode=b", `parameter "sslmode" given 2 times`},
	}
	for _, c := range cases {
		_, err := parsePostgres(c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "--db ") {
			t.Errorf("%s: error %v, want %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("%s: the error shows the password: %v", c.url, err)
		}
	}
}
