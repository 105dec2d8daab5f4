// Package deploy checks the files that deploy phasesweep on a cluster: docker-compose.yml and
// the Dockerfile at the top of the repository. Its tests load the compose file with the
// compose-spec loader and build the worker exactly as the Dockerfile does. See docs/cluster.md.
package deploy
