package store

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
)

// EnvAllowInsecure is the environment variable that allows S3 endpoints over plain http
// ("1" or "true"). It is read by every process that opens a bucket (sweep run, its embedded
// worker, every worker of a cluster), because each of them sends its own credentials there.
const EnvAllowInsecure = "PHASESWEEP_ALLOW_INSECURE_ENDPOINT"

// The errors CheckEndpoint's errors match (errors.Is).
var (
	// ErrClientOption: the location's query sets client options that were not allowed.
	ErrClientOption = errors.New("client options not allowed")
	// ErrInsecureEndpoint: an S3 endpoint over plain http that was not allowed.
	ErrInsecureEndpoint = errors.New("plain-http endpoint not allowed")
)

// Trust is what a location may make this process's cloud client do beyond naming a bucket and
// a key. The zero value allows neither: it is the trust due to a location read from a file
// someone else may have written, such as a spec's out key.
type Trust struct {
	// ClientOptions allows the query of an s3:// or gs:// URL. Every query parameter
	// configures the client: where it connects (endpoint), with whose credentials (profile,
	// role, anonymous, access_id, private_key_path) and how (region, use_path_style,
	// disable_https, ...).
	ClientOptions bool
	// Insecure allows an S3 endpoint over plain http, to which the AWS SDK would send every
	// request's signature, access key id and session token unencrypted.
	Insecure bool
}

// InsecureAllowed reports whether the environment allows plain-http endpoints
// (EnvAllowInsecure); a value that is not a boolean is an error naming the variable.
func InsecureAllowed() (bool, error) {
	v := os.Getenv(EnvAllowInsecure)
	if v == "" {
		return false, nil
	}
	ok, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("environment variable %s=%q: want 1 or 0", EnvAllowInsecure, v)
	}
	return ok, nil
}

// CheckEndpoint reports whether loc stays within t, without sending anything anywhere. A local
// path or file:// URL always does. An s3:// or gs:// URL may have a query only with
// t.ClientOptions (ErrClientOption). An s3:// URL's endpoint must be https unless t.Insecure
// (ErrInsecureEndpoint); the endpoint is the URL's endpoint parameter, else the one the AWS
// SDK takes from the environment (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL), and disable_https=true
// makes any endpoint plain http. Credentials are assumed present: the SDK finds them in many
// places (the environment, ~/.aws, an instance role fetched over the network), and whether it
// will cannot be known without asking; anonymous=true, which sends none, lifts the rule.
func CheckEndpoint(loc string, t Trust) error {
	l, err := Parse(loc)
	if err != nil || l.Bucket == "" {
		return err
	}
	u, err := url.Parse(l.Bucket)
	if err != nil {
		return fmt.Errorf("location %q: %w", loc, err)
	}
	q := u.Query()
	if len(q) > 0 && !t.ClientOptions {
		return fmt.Errorf("%w: location %q sets %s in its query (options of the cloud client: where it connects, with whose credentials, how)",
			ErrClientOption, loc, optionNames(q))
	}
	if u.Scheme != "s3" {
		return nil
	}
	anon, _ := strconv.ParseBool(q.Get("anonymous"))
	plain := "" // what makes the connection plain http
	endpoint, from := q.Get("endpoint"), "the location's endpoint parameter"
	if endpoint == "" {
		endpoint, from = envEndpoint()
	}
	if endpoint != "" {
		e, err := url.Parse(endpoint)
		if err != nil || (e.Scheme != "https" && e.Scheme != "http") || e.Host == "" {
			return fmt.Errorf("location %q: s3 endpoint %q (%s) is not an http(s)://host[:port] URL", loc, endpoint, from)
		}
		if e.Scheme == "http" {
			plain = fmt.Sprintf("endpoint %q (%s)", endpoint, from)
		}
	}
	if off, _ := strconv.ParseBool(q.Get("disable_https")); off && plain == "" {
		plain = "connection (disable_https=true)"
	}
	if plain == "" || anon || t.Insecure {
		return nil
	}
	return fmt.Errorf("%w: location %q: its s3 %s is plain http, and every request would carry this machine's AWS credentials there unencrypted (access key id, session token, signatures); "+
		"use an https endpoint, add anonymous=true for a public bucket, or set %s=1 in the environment of sweep run and of every worker to allow it",
		ErrInsecureEndpoint, loc, plain, EnvAllowInsecure)
}

// envEndpoint is the S3 endpoint the AWS SDK takes from the environment, and the variable
// that sets it ("" when none does).
func envEndpoint() (endpoint, from string) {
	if ignore, _ := strconv.ParseBool(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")); ignore {
		return "", ""
	}
	for _, env := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(env); v != "" {
			return v, "environment variable " + env
		}
	}
	return "", ""
}

// optionNames lists the parameters of q, sorted: "endpoint, region".
func optionNames(q url.Values) string {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, strconv.Quote(k))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
