// Package webui is the local web page of `sweep ui`: the sweeps a Temporal server knows, each
// sweep's spec, live progress and phase diagram (drawn by pkg/phase as the chunks finish), its
// points with their trajectories, downloads of the figure and the table, and, when allowed,
// the control buttons. Templates and static files are embedded; nothing is fetched from
// elsewhere.
//
// Security model: the server listens on 127.0.0.1 unless an address is given explicitly
// (Listen), answers only requests whose Host names the address it listens on when that is a
// loopback one (no DNS rebinding), is read-only unless Options.AllowControl (control
// endpoints answer 403), refuses cross-site control requests (Origin), and opens only the
// files its Source names for a sweep (the sweep's output, or the Source's private merge of it)
// and the figures it renders into its own temporary directory.
package webui

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/phasesweep/phasesweep/pkg/results"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Server.
type Options struct {
	// AllowControl enables the pause, resume, cancel and concurrency endpoints (403 without).
	AllowControl bool
	// Refresh is the least time between two reads of a running sweep's table (default 2 s).
	Refresh time.Duration
	// WriteCSV writes a table as CSV (the `sweep export --csv` format).
	WriteCSV func(io.Writer, *results.Table) error
}

// Server serves the pages of the sweeps of a Source.
type Server struct {
	src    Source
	opt    Options
	tables *tables
	tmpl   *template.Template
	tmp    string
	// hosts are the Host values accepted (nil: any, for a server bound to a non-loopback
	// address the user chose).
	hosts map[string]bool
}

// New returns a server of the sweeps of src. Close removes its temporary files.
func New(src Source, opt Options) (*Server, error) {
	if opt.Refresh <= 0 {
		opt.Refresh = 2 * time.Second
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	tmp, err := os.MkdirTemp("", "phasesweep-ui-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	s := &Server{src: src, opt: opt, tmpl: tmpl, tmp: tmp,
		tables: &tables{src: src, refresh: opt.Refresh, tmp: tmp, bySweep: map[string]*entry{}}}
	return s, nil
}

// Close removes the server's temporary files.
func (s *Server) Close() error { return os.RemoveAll(s.tmp) }

// DefaultIP is the address the server listens on unless told otherwise.
const DefaultIP = "127.0.0.1"

// Listen opens the server's socket on ip:port. An ip other than a loopback address is refused
// unless explicit (the user gave it): the page shows the sweeps' specs and results, and with
// control their buttons, to whoever reaches it. Requests are then accepted only with a Host
// header naming the address listened on (or localhost), so that a web page elsewhere cannot
// reach this server by rebinding its own name to 127.0.0.1.
func (s *Server) Listen(ip string, port int, explicit bool) (net.Listener, error) {
	addr := net.ParseIP(ip)
	if addr == nil {
		return nil, fmt.Errorf("--ip %q is not an IP address", ip)
	}
	if !addr.IsLoopback() && !explicit {
		return nil, fmt.Errorf("refusing to listen on %s without --ip given explicitly", ip)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if addr.IsLoopback() {
		p := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		s.hosts = map[string]bool{}
		for _, h := range []string{ip, "localhost", "127.0.0.1", "::1"} {
			s.hosts[net.JoinHostPort(h, p)] = true
		}
	}
	return l, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.sweepsPage)
	mux.HandleFunc("GET /api/sweeps", s.sweepsJSON)
	mux.HandleFunc("GET /sweep/{id}", s.sweepPage)
	mux.HandleFunc("GET /api/sweep/{id}/progress", s.progressJSON)
	mux.HandleFunc("GET /api/sweep/{id}/figure", s.figureJSON)
	mux.HandleFunc("GET /sweep/{id}/download/{file}", s.download)
	mux.HandleFunc("GET /sweep/{id}/points", s.pointsPage)
	mux.HandleFunc("GET /sweep/{id}/point/{n}", s.pointPage)
	mux.HandleFunc("GET /sweep/{id}/point/{n}/trajectory.svg", s.trajectoryFile)
	mux.HandleFunc("POST /api/sweep/{id}/{action}", s.control)
	return s.guard(mux)
}

// guard refuses requests whose Host is not the server's (when it listens on loopback) and
// sets headers that keep the pages out of other sites' frames and scripts.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hosts != nil && !s.hosts[r.Host] {
			http.Error(w, "unexpected Host header "+strconv.Quote(r.Host), http.StatusMisdirectedRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// control handles the control buttons: 403 unless AllowControl, and for a request from
// another site's page (its Origin is not this server).
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	if !s.opt.AllowControl {
		http.Error(w, "read-only server: start sweep ui with --allow-control to control sweeps", http.StatusForbidden)
		return
	}
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			http.Error(w, "cross-origin control request refused", http.StatusForbidden)
			return
		}
	}
	id := r.PathValue("id")
	c := Control{Action: r.PathValue("action")}
	switch c.Action {
	case ActionPause, ActionResume, ActionCancel:
	case ActionConcurrency:
		n, err := strconv.Atoi(r.FormValue("n"))
		if err != nil || n < 1 {
			http.Error(w, fmt.Sprintf("concurrency: n must be a positive integer, got %q", r.FormValue("n")), http.StatusBadRequest)
			return
		}
		c.Concurrency = n
	default:
		http.NotFound(w, r)
		return
	}
	if _, ok := s.sweep(w, r); !ok {
		return
	}
	if err := s.src.Control(r.Context(), id, c); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway) // the Source names the action and the sweep
		return
	}
	writeJSON(w, map[string]string{"sweep": id, "requested": c.Action})
}

// sweep is the sweep the request's {id} names, or false after answering 404 (or 502 when the
// Source failed).
func (s *Server) sweep(w http.ResponseWriter, r *http.Request) (Sweep, bool) {
	sw, err := s.src.Sweep(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrUnknown) {
		http.Error(w, "no sweep "+strconv.Quote(r.PathValue("id")), http.StatusNotFound)
		return sw, false
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return sw, false
	}
	return sw, true
}

// sweepTable is the sweep the request's {id} names and its loaded table, or false after
// answering 404 (unknown sweep; with needRows, no row yet) or 502 (the Source failed).
func (s *Server) sweepTable(w http.ResponseWriter, r *http.Request, needRows bool) (Sweep, *loaded, bool) {
	sw, ok := s.sweep(w, r)
	if !ok {
		return sw, nil, false
	}
	l, err := s.tables.get(r.Context(), sw.ID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return sw, nil, false
	}
	if needRows && l.rows == nil {
		http.Error(w, "sweep "+sw.ID+" has no finished chunk yet", http.StatusNotFound)
		return sw, nil, false
	}
	return sw, l, true
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"eta": etaText,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2006-01-02 15:04:05")
	},
	"esc": url.PathEscape,
}

// etaText formats an ETA in seconds ("--" when unknown).
func etaText(sec float64) string {
	if sec <= 0 {
		return "--"
	}
	return (time.Duration(sec) * time.Second).String()
}
