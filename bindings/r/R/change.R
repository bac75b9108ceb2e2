# change(): each person's change between two waves, as `bowlby change` writes it. The pairing,
# the basis (sd, reliability), the RCI, the joint test and clinical significance come from the
# library (bowlby/change.hpp); the default reliability is the pre wave's alpha, computed by the
# library as reliability() computes it.

# One value per score, NA where the sample's is kept.
per_score <- function(x, n, name, call) {
  if (is.null(x)) return(rep(NA_real_, n))
  if (!(is.numeric(x) || all(is.na(x))) || length(x) != n)
    fail("option_error", sprintf("%s takes %d values (one per score, NA for the sample's)", name, n), call)
  as.double(x)
}

# functional as a scores x 2 matrix of (mean, sd), NA rows for none.
functional_matrix <- function(functional, scores, call) {
  if (is.null(functional)) return(NULL)
  n <- length(scores)
  if (is.list(functional) && !is.data.frame(functional)) {
    if (length(functional) != n)
      fail("option_error", sprintf("functional takes %d (mean, sd) pairs, one per score (NULL or NA for none)", n), call)
    rows <- lapply(functional, function(f) {
      if (is.null(f) || all(is.na(f))) return(c(NA_real_, NA_real_))
      if (!is.numeric(f) || length(f) != 2)
        fail("option_error", "functional takes (mean, sd) pairs, one per score (NULL or NA for none)", call)
      as.double(f)
    })
    return(do.call(rbind, rows))
  }
  m <- as.matrix(functional)
  if (!is.numeric(m) && !all(is.na(m)) || nrow(m) != n || ncol(m) != 2)
    fail("option_error", sprintf("functional takes a %d x 2 matrix of (mean, sd), one row per score (NA for none)", n), call)
  storage.mode(m) <- "double"
  m
}

#' Each person's change between two waves with Jacobson & Truax's reliable change index, the
#' joint test on the attachment plane and clinical significance; see ?change.
change <- function(pre, post, instrument, id, items = NULL, scale = NULL, missing = NULL, min_answered = NULL,
                   reliability = NULL, sd = NULL, rci_z = 1.96, functional = NULL, better = c("lower", "higher"),
                   strict = FALSE, classify = NULL, ...) {
  call <- sys.call()
  better <- match.arg(better)
  for (w in list(pre, post))
    if (!is.data.frame(w) && !is.matrix(w)) fail("type_error", "pre and post are data.frames, tibbles or matrices", call)
  pre_id <- data_column(pre, id, "id", call)
  post_id <- id_strings(data_column(post, id, "id", call))
  instrument <- instrument_of(instrument, call)
  missing <- key_missing(instrument, missing, call)
  min_answered <- key_min_answered(instrument, min_answered)
  spec <- key_spec(instrument, call)
  key <- describe(spec, call)
  n <- length(key$scores)
  if (!is.numeric(rci_z) || length(rci_z) != 1 || !(rci_z > 0)) fail("option_error", "rci_z takes a positive number", call)
  item_cols <- function(w) if (is.null(items)) setdiff(colnames(w), id) else items
  wave_scores <- function(w) score(w, instrument, items = item_cols(w), scale = scale, missing = missing,
                                   min_answered = min_answered)
  wave_values <- function(s) {
    v <- as.matrix(as.data.frame(s)[key$scores])
    storage.mode(v) <- "double"
    v
  }
  pre_scored <- wave_scores(pre)
  post_scored <- wave_scores(post)
  pre_values <- wave_values(pre_scored)
  post_values <- wave_values(post_scored)
  given <- per_score(reliability, n, "reliability", call)
  ans <- answers(pre, key$n_items, item_cols(pre), call)
  alpha <- checked(.bw_change_alpha(spec, ans$x, scale_pair(scale, call), missing_codes(missing, call), "error"),
                   ans$rows, ans$names, call)
  rel <- ifelse(is.na(given), alpha, given)
  sd_given <- per_score(sd, n, "sd", call)
  fm <- functional_matrix(functional, key$scores, call)
  res <- checked(.bw_change(spec, pre_values, post_values, id_strings(pre_id), post_id, as.double(rel), sd_given,
                          as.double(rci_z), fm, better == "lower"), call = call)
  um <- res$unmatched
  unmatched <- data.frame(id = um$id, pre_rows = vapply(um$pre_rows, paste, "", collapse = " "),
                          post_rows = vapply(um$post_rows, paste, "", collapse = " "), reason = um$reason,
                          stringsAsFactors = FALSE)
  if (isTRUE(strict) && nrow(unmatched)) {
    lines <- vapply(seq_len(nrow(unmatched)), function(i) {
      where <- c(if (length(um$pre_rows[[i]])) sprintf("%d row(s) in the pre wave (%s)", length(um$pre_rows[[i]]),
                                                       rows_text(um$pre_rows[[i]])),
                 if (length(um$post_rows[[i]])) sprintf("%d row(s) in the post wave (%s)", length(um$post_rows[[i]]),
                                                        rows_text(um$post_rows[[i]])))
      what <- paste(where, collapse = ", ")
      switch(um$reason[i],
             "no id" = sprintf("a row with no %s: %s", id, what),
             "pre wave only" = sprintf("id '%s': %s, none in the post wave", um$id[i], what),
             "post wave only" = sprintf("id '%s': %s, none in the pre wave", um$id[i], what),
             sprintf("id '%s': %s, an id may appear once in each wave", um$id[i], what))
    }, "")
    fail("pairing_error", paste0(nrow(unmatched), " id(s) cannot be paired (strict = TRUE):\n  ",
                                 paste(lines, collapse = "\n  ")), call)
  }
  out <- list()
  out[[id]] <- if (is.factor(pre_id)) pre_id[res$pre_row] else as.vector(pre_id)[res$pre_row]
  for (s in seq_len(n)) {
    nm <- key$scores[s]
    out[[paste0(nm, "_pre")]] <- res$pre[, s]
    out[[paste0(nm, "_post")]] <- res$post[, s]
    out[[paste0(nm, "_change")]] <- res$change[, s]
    out[[paste0(nm, "_rci")]] <- res$rci[, s]
    out[[paste0(nm, "_reliable")]] <- res$reliable[, s]
    if (!is.null(res$clinical)) out[[paste0(nm, "_clinical")]] <- res$clinical[, s]
  }
  if (!is.null(res$joint)) {
    out$joint_d2 <- res$joint$d2
    out$joint_p <- res$joint$p
    out$joint_reliable <- res$joint$reliable
  }
  transitions <- NULL
  if (!is.null(classify)) {
    # As `bowlby change` with two files: a rule fitted to a sample (median, kmeans) and the
    # SEMs come from the pre wave, and classify both waves (the same cuts for both).
    rule <- list(...)
    if (is.null(rule$sem) && !identical(classify, "rq"))
      rule$sem <- checked(.bw_classify_sem(spec, ans$x, scale_pair(scale, call), missing_codes(missing, call),
                                           "error", as.character(classify)), ans$rows, ans$names, call)
    by_rule <- function(scored, fit_on)
      do.call(bowlby::classify, c(list(scored, method = classify, instrument = instrument, scale = scale,
                                       fit_on = fit_on), rule))
    cat_pre <- by_rule(pre_scored, NULL)
    cat_post <- by_rule(post_scored, pre_scored)
    out$category_pre <- cat_pre$category[res$pre_row]
    out$category_pre_p <- cat_pre$category_p[res$pre_row]
    out$category_post <- cat_post$category[res$post_row]
    out$category_post_p <- cat_post$category_p[res$post_row]
    transitions <- table(pre = out$category_pre, post = out$category_post)
  }
  frame <- data.frame(out, stringsAsFactors = FALSE, check.names = FALSE)
  b <- res$basis
  basis <- data.frame(score = key$scores, n = as.integer(b$n), mean = b$mean, sd = b$sd,
                      sd_source = ifelse(is.na(sd_given), "pre wave", "given"),
                      reliability = b$reliability,
                      reliability_source = ifelse(!is.na(given), "given", ifelse(is.na(alpha), "none", "alpha")),
                      s_diff = b$s_diff, stringsAsFactors = FALSE)
  if (!is.null(fm)) basis$criterion_c <- b$criterion_c
  count <- function(v, levels) vapply(levels, function(l) sum(v == l, na.rm = TRUE), 0L)
  counts <- t(vapply(seq_len(n), function(s) c(count(res$reliable[, s], c("increased", "decreased", "none")),
                                               missing = sum(is.na(res$reliable[, s]))), integer(4)))
  counts <- data.frame(score = key$scores, counts, stringsAsFactors = FALSE)
  report <- list(pre_rows = nrow(pre), post_rows = nrow(post), n_paired = length(res$id), unmatched = unmatched,
                 rci_z = rci_z, basis = basis, counts = counts)
  if (!is.null(res$clinical)) {
    outcomes <- c("recovered", "improved", "unchanged", "deteriorated")
    clin <- t(vapply(seq_len(n), function(s) c(count(res$clinical[, s], outcomes), missing = sum(is.na(res$clinical[, s]))),
                     integer(5)))
    report$clinical <- data.frame(score = key$scores, clin, stringsAsFactors = FALSE)
    report$better <- better
  }
  if (!is.null(res$joint)) {
    j <- res$joint$reliable
    report$joint <- list(anxiety = res$joint$anxiety, avoidance = res$joint$avoidance, level = res$joint$level,
                         reliable = sum(j, na.rm = TRUE), not_reliable = sum(!j, na.rm = TRUE), missing = sum(is.na(j)))
  }
  if (!is.null(transitions)) report$transitions <- transitions
  attr(frame, "report") <- report
  frame
}
