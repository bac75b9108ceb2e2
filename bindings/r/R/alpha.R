# alpha() and reliability(): the library's statistics in psych::alpha's shape.

# psych's names for the library's alpha statistics.
psych_total <- c(raw_alpha = "raw_alpha", std_alpha = "std.alpha", g6_smc = "G6(smc)", average_r = "average_r",
                 signal_noise = "S/N", ase = "ase")
psych_drop <- c(raw_alpha = "raw_alpha", std_alpha = "std.alpha", g6_smc = "G6(smc)", average_r = "average_r",
                signal_noise = "S/N", ase = "alpha se", var_r = "var.r", median_r = "med.r")

# One scale's statistics (the library's fields) as psych::alpha's object, with bowlby's
# further statistics as further elements.
alpha_object <- function(r, call, title = NULL, freq = NULL, scores = NULL, keys = NULL) {
  a <- r$alpha
  total <- data.frame(as.list(a[names(psych_total)]), mean = r$mean, sd = r$sd, median_r = a[["median_r"]],
                      check.names = FALSE, row.names = "")
  names(total)[seq_along(psych_total)] <- psych_total
  it <- r$items
  drop <- as.data.frame(it$alpha_if_dropped[, names(psych_drop), drop = FALSE], row.names = it$name)
  names(drop) <- psych_drop
  stats <- data.frame(n = it$n, raw.r = it$raw_r, std.r = it$std_r, r.cor = it$r_cor, r.drop = it$r_drop,
                      mean = it$mean, sd = it$sd, row.names = it$name, check.names = FALSE)
  ci <- function(v) data.frame(raw_alpha = v, row.names = "")
  out <- list(total = total, alpha.drop = drop, item.stats = stats, response.freq = freq,
              keys = keys, scores = scores, nvar = r$n_items,
              boot.ci = if (is.null(r$bootstrap)) NULL else boot_ci(r$bootstrap, r$ci_level),
              feldt = structure(list(lower.ci = ci(r$feldt[["lower"]]), alpha = ci(a[["raw_alpha"]]),
                                     upper.ci = ci(r$feldt[["upper"]])), class = "bowlby_feldt"),
              var.r = a[["var_r"]], call = call, title = title,
              omega_total = r$omega_total, lambda2 = r$lambda2, split_half = r$split_half,
              duhachek = c(lower = r$duhachek[["lower"]], alpha = a[["raw_alpha"]], upper = r$duhachek[["upper"]]),
              sem = r$sem, ci_level = r$ci_level, n = r$n, n_complete = r$n_complete,
              bootstrap_repetitions = r$bootstrap_repetitions, warnings = r$warnings)
  structure(out, class = "bowlby_alpha")
}

boot_ci <- function(b, level) {
  p <- c((1 - level) / 2, (1 + level) / 2)
  stats::setNames(c(b[["lower"]], b[["upper"]]), paste0(format(100 * p, trim = TRUE), "%"))
}

use_of <- function(use, call) {
  if (!is.character(use) || length(use) != 1) fail("option_error", "use takes \"pairwise\" or \"complete.obs\"", call)
  if (use %in% c("pairwise", "pairwise.complete.obs")) return(FALSE)
  if (use %in% c("complete.obs", "complete", "listwise")) return(TRUE)
  fail("option_error", sprintf("use takes \"pairwise\" or \"complete.obs\", not \"%s\"", use), call)
}

# Which columns `keys` reverses: psych's forms, a vector of 1 and -1 per column or the names
# (or positions) of the reversed columns.
reversed_of <- function(keys, names, call) {
  k <- length(names)
  if (is.null(keys)) return(rep(FALSE, k))
  if (is.list(keys)) fail("option_error", "keys takes one vector (1 and -1 per column, or the reversed columns' names)", call)
  if (is.character(keys)) {
    bare <- sub("^-", "", keys)
    unknown <- setdiff(bare, names)
    if (length(unknown)) fail("option_error", sprintf("keys names column '%s', which is not in x", unknown[1]), call)
    return(names %in% bare)
  }
  if (is.numeric(keys) && length(keys) == k && all(keys %in% c(-1, 1))) return(keys == -1)
  fail("option_error", sprintf("keys takes %d values of 1 or -1 (one per column of x), or the names of the reversed columns", k), call)
}

# The scale reversal uses: `scale` when given, else (as psych) the minimum and maximum of all
# the answers.
alpha_scale <- function(scale, x, call) {
  if (!is.null(scale)) return(scale_pair(scale, call))
  v <- checked(.bw_answer_range(x), call = call)  # one pass in C++, not range() copying each column
  lo <- v[1]; hi <- v[2]
  if (!is.finite(lo)) return(c(0, 1))  # no answer at all: nothing to reverse
  if (lo == hi) return(c(lo - 1, hi + 1))  # one value everywhere: reversal leaves it as it is
  c(lo, hi)
}

#' Cronbach's alpha and the statistics psych::alpha reports, equal to psych's, from bowlby's
#' library; see ?alpha.
alpha <- function(x, keys = NULL, scale = NULL, title = NULL, max = 10, na.rm = TRUE, check.keys = FALSE,
                  n.iter = 1, use = "pairwise", warnings = TRUE, ci_level = 0.95, seed = NULL, threads = 0) {
  call <- match.call()
  ccall <- sys.call()
  if (isTRUE(check.keys))
    fail("option_error", paste("check.keys is not supported: bowlby reverses only the items you name;",
                               "give keys = c(1, -1, ...) or the names of the reversed columns"), ccall)
  if (!isTRUE(na.rm)) fail("option_error", "na.rm = FALSE is not supported: missing answers are left out pairwise or listwise (use)", ccall)
  ans <- answers(x, NULL, NULL, ccall)
  k <- length(ans$names)
  if (k < 2) fail("shape_error", sprintf("x has %d column; a scale needs two or more", k), ccall)
  rev <- reversed_of(keys, ans$names, ccall)
  lim <- alpha_scale(scale, ans$x, ccall)
  spec <- list(id = "alpha", n_items = k, scale = lim, integral = FALSE,
               subscales = list(list(name = "scale", items = seq_len(k), reversed = which(rev), aggregation = "mean")),
               derived = list(), name = "", citation = "", item_names = character())
  labels <- paste0(ans$names, ifelse(rev, "-", ""))
  n_boot <- if (n.iter > 1) whole(n.iter, "n.iter", ccall) else 0L
  res <- checked(.bw_reliability(spec, ans$x, NULL, numeric(), "error", use_of(use, ccall), ci_level,
                                 seed_of(seed, ccall), n_boot, whole(threads, "threads", ccall), labels,
                                 whole(max, "max", ccall), TRUE),
                 ans$rows, ans$names, ccall)
  r <- res$scales[[1]]
  # Named by row as psych's rowMeans names them: by a data.frame's own row names, not automatic ones.
  named <- if (is.data.frame(x)) .row_names_info(x) > 0 else !is.null(rownames(x))
  person <- res$scores
  if (named) names(person) <- rownames(x)
  out <- alpha_object(r, call, title, response_freq(res$frequencies, ans$names), person,
                      list(paste0(ifelse(rev, "-", ""), ans$names)))
  if (isTRUE(warnings) && length(r$warnings)) warning(paste(r$warnings, collapse = "\n"), call. = FALSE)
  out
}

seed_of <- function(seed, call) {
  if (is.null(seed)) return(20261122)
  if (!is.numeric(seed) || length(seed) != 1 || is.na(seed) || seed < 0 || seed != round(seed))
    fail("option_error", "seed takes a whole number from 0", call)
  as.double(seed)
}

# psych's response.freq: per item, the share of its answers taking each value (when the data
# take at most `max` values), and the share missing.
response_freq <- function(f, names) {
  if (is.null(f)) return(NULL)
  answered <- rowSums(f$counts)
  out <- cbind(f$counts / answered, miss = f$missing / (answered + f$missing))
  dimnames(out) <- list(names, c(as.character(f$values), "miss"))
  out
}

#' The reliability of every subscale of an instrument, keyed and checked as in score(): a
#' list of psych::alpha-shaped objects, one per subscale; see ?reliability.
reliability <- function(data, instrument, items = NULL, scale = NULL, missing = NULL,
                        on_invalid = c("error", "missing"), use = "pairwise", n.iter = 1, ci_level = 0.95,
                        seed = NULL, threads = 0) {
  call <- match.call()
  ccall <- sys.call()
  on_invalid <- match.arg(on_invalid)
  instrument <- instrument_of(instrument, ccall)
  missing <- key_missing(instrument, missing, ccall)
  spec <- key_spec(instrument, ccall)
  key <- describe(spec, ccall)
  ans <- answers(data, key$n_items, items, ccall, key$item_names)
  n_boot <- if (n.iter > 1) whole(n.iter, "n.iter", ccall) else 0L
  res <- checked(.bw_reliability(spec, ans$x, scale_pair(scale, ccall), missing_codes(missing, ccall), on_invalid,
                                 use_of(use, ccall), ci_level, seed_of(seed, ccall), n_boot,
                                 whole(threads, "threads", ccall), ans$names, 0L, FALSE),
                 ans$rows, ans$names, ccall)
  scales <- lapply(res$scales, function(r) alpha_object(r, call))
  names(scales) <- vapply(res$scales, `[[`, "", "name")
  cors <- res$intercorrelations
  if (!is.null(cors)) {
    cors <- list(r = cors$r, corrected = cors$corrected)
    for (m in names(cors)) dimnames(cors[[m]]) <- list(res$intercorrelations$names, res$intercorrelations$names)
  }
  structure(scales, class = "bowlby_reliability", instrument = key$id, rows = res$rows, intercorrelations = cors)
}
