# dyads(): partners' scores side by side, as `bowlby dyads` writes them. The pairing, the
# pairing names and the similarity of partners come from the library (bowlby/dyads.hpp).

# Ids as the library compares them: character, NA as "" (no id).
id_strings <- function(x) {
  v <- if (is.factor(x)) as.character(x) else x
  v <- as.character(v)
  v[is.na(v)] <- ""
  v
}

# The column `name` of `data`, or an error naming the argument.
data_column <- function(data, name, argument, call) {
  if (!is.character(name) || length(name) != 1 || is.na(name))
    fail("option_error", sprintf("%s takes the name of a column of data", argument), call)
  if (!name %in% colnames(data))
    fail("option_error", sprintf("%s names column '%s', which data does not have", argument, name), call)
  if (is.data.frame(data)) data[[name]] else data[, name]
}

# "row 4" or "rows 4, 9 and 12", the rows of data (1-based).
rows_text <- function(rows) {
  if (length(rows) == 1) return(paste("row", rows))
  paste("rows", paste(rows[-length(rows)], collapse = ", "), "and", rows[length(rows)])
}

correlation_frame <- function(x, z) {
  out <- data.frame(x = x$x, y = x$y, r = x$r, stringsAsFactors = FALSE)
  if (z) out$z <- x$z
  out$n <- as.integer(x$n)
  out
}

#' Partners' scores side by side, paired by a dyad id, with the pairing of their categories
#' and the similarity of partners; see ?dyads.
dyads <- function(data, instrument, dyad, distinguish = NULL, items = NULL, scale = NULL, missing = NULL,
                  min_answered = NULL, layout = c("wide", "pairwise"), classify = NULL, strict = FALSE, ...) {
  call <- sys.call()
  layout <- match.arg(layout)
  if (!is.data.frame(data) && !is.matrix(data)) fail("type_error", "data is a data.frame, a tibble or a matrix", call)
  ids <- id_strings(data_column(data, dyad, "dyad", call))
  role <- if (is.null(distinguish)) NULL else id_strings(data_column(data, distinguish, "distinguish", call))
  instrument <- instrument_of(instrument, call)
  missing <- key_missing(instrument, missing, call)
  min_answered <- key_min_answered(instrument, min_answered)
  spec <- key_spec(instrument, call)
  key <- describe(spec, call)
  if (is.null(items)) items <- setdiff(colnames(data), c(dyad, distinguish))
  scored <- score(data, instrument, items = items, scale = scale, missing = missing, min_answered = min_answered)
  values <- as.matrix(as.data.frame(scored)[key$scores])
  storage.mode(values) <- "double"
  categories <- NULL
  if (!is.null(classify)) {
    cls <- bowlby::classify(scored, method = classify, instrument = instrument, ...)
    categories <- as.integer(cls$category)
  }
  p <- checked(.bw_dyads(spec, values, ids, role, categories), call = call)
  un <- p$unpaired
  unpaired <- data.frame(dyad = un$dyad, rows = vapply(un$rows, paste, "", collapse = " "),
                         reason = un$reason, stringsAsFactors = FALSE)
  if (isTRUE(strict) && nrow(unpaired)) {
    lines <- vapply(seq_len(nrow(unpaired)), function(i) {
      where <- rows_text(un$rows[[i]])
      switch(un$reason[i],
             "one row" = sprintf("dyad '%s' (%s): one row, no partner", un$dyad[i], where),
             "more than two rows" = sprintf("dyad '%s' (%s): %d rows, a dyad has two", un$dyad[i], where,
                                            length(un$rows[[i]])),
             "equal distinguishing values" = sprintf("dyad '%s' (%s): both partners have %s '%s', the partners cannot be told apart",
                                                     un$dyad[i], where, distinguish, role[un$rows[[i]][1]]),
             sprintf("a row with no dyad id (%s)", where))
    }, "")
    fail("pairing_error", paste0(nrow(unpaired), " dyad(s) cannot be paired (strict = TRUE):\n  ",
                                 paste(lines, collapse = "\n  ")), call)
  }
  out <- list(dyad = p$dyad)
  r1 <- p$row1
  r2 <- p$row2
  if (layout == "wide") {
    for (s in key$scores) {
      a <- values[r1, s]
      b <- values[r2, s]
      out[[paste0(s, "_1")]] <- a
      out[[paste0(s, "_2")]] <- b
      out[[paste0(s, "_diff")]] <- a - b
    }
    if (!is.null(categories)) {
      out$category_1 <- cls$category[r1]
      out$category_2 <- cls$category[r2]
      out$pairing <- ifelse(p$pairing == "", NA_character_, p$pairing)
    }
  } else {
    me <- as.vector(rbind(r1, r2))
    other <- as.vector(rbind(r2, r1))
    out$dyad <- rep(p$dyad, each = 2)
    out$actor <- rep(1:2, length(r1))
    for (s in key$scores) {
      out[[s]] <- values[me, s]
      out[[paste0("partner_", s)]] <- values[other, s]
    }
    if (!is.null(categories)) {
      out$category <- cls$category[me]
      out$partner_category <- cls$category[other]
    }
  }
  frame <- data.frame(out, stringsAsFactors = FALSE, check.names = FALSE)
  report <- list(dyads = length(p$dyad), unpaired = unpaired, distinguishable = p$distinguishable)
  if (p$distinguishable) {
    report$partner_correlation <- correlation_frame(p$partner, FALSE)
    report$cross_partner_correlation <- correlation_frame(p$cross_partner, FALSE)
  } else {
    report$intraclass <- correlation_frame(p$intraclass, TRUE)
    report$cross_intraclass <- correlation_frame(p$cross_intraclass, FALSE)
  }
  if (!is.null(categories)) report$pairings <- stats::setNames(as.integer(p$pairing_counts), names(p$pairing_counts))
  attr(frame, "report") <- report
  frame
}
