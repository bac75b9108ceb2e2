#' Four-category classification (secure, preoccupied, dismissing, fearful, or unclassified)
#' of score()'s output by the bowlby tool's method dispatch; see ?classify.
classify <- function(scores, method = "midpoint", instrument = attr(scores, "instrument"),
                     scale = attr(scores, "scale"), cut = NULL, cut_source = "", at_cut = "unclassified",
                     rescale = FALSE, allow_other_instrument = FALSE, seed = NULL, sem = NULL,
                     forced_choice = NULL, fit_on = NULL) {
  call <- sys.call()
  if (is.null(instrument))
    fail("option_error", "classify() needs instrument = (scores made by score() carry it)", call)
  instrument <- instrument_of(instrument, call)
  spec <- key_spec(instrument, call)
  key <- describe(spec, call)
  if (!is.data.frame(scores) && !is.matrix(scores)) fail("type_error", "scores is score()'s data.frame", call)
  absent <- setdiff(key$scores, colnames(scores))
  if (length(absent)) fail("shape_error", sprintf("scores has no column '%s' (a score of %s)", absent[1], key$id), call)
  values <- as.matrix(scores[, key$scores, drop = FALSE])
  storage.mode(values) <- "double"
  if (!is.null(cut) && (!is.numeric(cut) || length(cut) != 2))
    fail("option_error", "cut takes c(anxiety, avoidance)", call)
  if (is.null(sem)) sem <- c(NA_real_, NA_real_)
  if (!is.numeric(sem) || length(sem) != 2) fail("option_error", "sem takes c(anxiety, avoidance)", call)
  fit <- NULL
  if (!is.null(fit_on)) {
    if (!is.data.frame(fit_on) && !is.matrix(fit_on)) fail("type_error", "fit_on is score()'s data.frame", call)
    absent <- setdiff(key$scores, colnames(fit_on))
    if (length(absent)) fail("shape_error", sprintf("fit_on has no column '%s' (a score of %s)", absent[1], key$id), call)
    fit <- as.matrix(fit_on[, key$scores, drop = FALSE])
    storage.mode(fit) <- "double"
  }
  if (!is.null(forced_choice)) forced_choice <- ifelse(is.na(forced_choice), "", as.character(forced_choice))
  out <- checked(.bw_classify(spec, scale_pair(scale, call), values, as.character(method),
                              if (is.null(cut)) NULL else as.double(cut), as.character(cut_source),
                              as.character(at_cut), isTRUE(rescale), isTRUE(allow_other_instrument),
                              seed_of(seed, call), as.double(sem), forced_choice, fit), call = call)
  category <- structure(out$category, levels = .bw_categories(), class = "factor")
  structure(list(category = category, category_p = out$p), class = "data.frame",
            row.names = if (is.data.frame(scores)) .row_names_info(scores, type = 0L) else row_names_of(scores))
}
