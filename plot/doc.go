// Package plot draws pictures of vigo's inference runs: the loss curve of a
// stochastic variational inference fit and the posterior density of a scalar
// site against a reference density.
//
// It is the only vigo package that imports gonum.org/v1/plot; the core
// packages (tensor, dist, vigo, infer, ...) never import it, so programs that
// do not draw pay nothing for it.
//
// # Pictures
//
// [ELBO] draws the losses returned by successive SVI steps, optionally with a
// trailing moving average over the raw curve. [Density] draws a histogram of
// posterior samples (scaled to integrate to one), an approximate density
// function such as the fitted guide's, and a reference density such as the
// exact posterior. Both return a gonum *plot.Plot that callers may adjust
// before saving it with [Save]; [SaveELBO] and [SaveDensity] draw and save in
// one call.
//
// # Files
//
// [Save] chooses the format from the file extension: ".png" or ".svg" (in
// any letter case); any other extension is an error. Files are written
// atomically: the picture is written to a temporary file in the destination
// directory and renamed over the destination, so a reader never sees a
// half-written file and a failed save leaves nothing behind.
//
// Output is deterministic: the pictures carry no timestamps and use the
// Liberation fonts that ship inside gonum/plot, so no system fonts are read.
package plot
