# dyads() against the pairing rule and Griffin & Gonzalez's statistics written out here in
# base R, on synthetic couples with planted partner similarity.

# 50 couples sharing a latent level on each axis, in shuffled rows, with a single (S1), a
# triple (T1), two partners with the same role (E1), a row without id, roles 10 and 9 (R9:
# compared as numbers, 9 first) and a partner without an anxiety score (K07, role 2).
make_couples <- function() {
  set.seed(2027)
  n <- 50
  shared <- cbind(rnorm(n, 4, 1.2), rnorm(n, 4, 1.2))
  p1 <- shared + matrix(rnorm(2 * n, sd = 0.6), n)
  p2 <- shared + matrix(rnorm(2 * n, sd = 0.6), n)
  ids <- sprintf("K%02d", 1:n)
  extra <- data.frame(couple = c("S1", "T1", "T1", "T1", "E1", "E1", NA, "R9", "R9"),
                      role = c("1", "1", "2", "2", "1", "1", "1", "10", "9"))
  d <- rbind(data.frame(couple = ids, role = "1", answers_around(p1)),
             data.frame(couple = ids, role = "2", answers_around(p2)),
             data.frame(extra, answers_around(matrix(rnorm(18, 4, 1.2), 9))))
  d[d$couple %in% "K07" & d$role == "2", c("Q1", "Q2", "Q3")] <- NA
  d <- d[sample(nrow(d)), ]
  rownames(d) <- NULL
  d
}

# The pairing rule written out: ids in order of first appearance; a dyad has two rows; with
# roles, partner 1 has the lower role (as numbers) and equal roles are not paired.
reference_pairing <- function(ids, role = NULL) {
  key <- ifelse(is.na(ids), "", ids)
  pairs <- data.frame(dyad = character(), row1 = integer(), row2 = integer())
  unpaired <- data.frame(dyad = character(), rows = character(), reason = character())
  for (d in unique(key)) {
    r <- which(key == d)
    if (d == "") {
      for (x in r) unpaired[nrow(unpaired) + 1, ] <- list(d, as.character(x), "no dyad id")
      next
    }
    if (length(r) != 2) {
      unpaired[nrow(unpaired) + 1, ] <- list(d, paste(r, collapse = " "),
                                             if (length(r) == 1) "one row" else "more than two rows")
      next
    }
    if (!is.null(role)) {
      a <- as.numeric(role[r])
      if (a[1] == a[2]) {
        unpaired[nrow(unpaired) + 1, ] <- list(d, paste(r, collapse = " "), "equal distinguishing values")
        next
      }
      if (a[1] > a[2]) r <- rev(r)
    }
    pairs[nrow(pairs) + 1, ] <- list(d, r[1], r[2])
  }
  list(pairs = pairs, unpaired = unpaired)
}

# Griffin & Gonzalez's pairwise intraclass correlation over the dyads with both scores.
reference_icc <- function(x1, x2) {
  ok <- !is.na(x1) & !is.na(x2)
  x1 <- x1[ok]
  x2 <- x2[ok]
  m <- mean(c(x1, x2))
  r <- sum(2 * (x1 - m) * (x2 - m)) / sum((x1 - m)^2 + (x2 - m)^2)
  c(r = r, z = r * sqrt(length(x1)), n = length(x1))
}

# The cross-intraclass correlation over the dyads with all four scores.
reference_cross_icc <- function(x1, x2, y1, y2) {
  ok <- !is.na(x1) & !is.na(x2) & !is.na(y1) & !is.na(y2)
  x1 <- x1[ok]; x2 <- x2[ok]; y1 <- y1[ok]; y2 <- y2[ok]
  mx <- mean(c(x1, x2))
  my <- mean(c(y1, y2))
  r <- sum((x1 - mx) * (y2 - my) + (x2 - mx) * (y1 - my)) /
    sqrt(sum((x1 - mx)^2 + (x2 - mx)^2) * sum((y1 - my)^2 + (y2 - my)^2))
  c(r = r, n = sum(ok))
}

scores_of <- c("anxiety", "avoidance", "total", "balance")

test_that("dyads() pairs by the dyad id and gives both partners' scores side by side", {
  d <- make_couples()
  out <- bowlby::dyads(d, couple_key(), dyad = "couple", items = couple_items)
  ref <- reference_pairing(d$couple)
  s <- reference_scores(d)
  expect_identical(names(out), c("dyad", as.vector(t(outer(scores_of, c("_1", "_2", "_diff"), paste0)))))
  expect_identical(out$dyad, ref$pairs$dyad)
  expect_identical(nrow(out), 52L)  # 50 couples, E1 and R9
  for (k in scores_of) {
    expect_equal(out[[paste0(k, "_1")]], unname(s[ref$pairs$row1, k]), tolerance = 1e-9)
    expect_equal(out[[paste0(k, "_2")]], unname(s[ref$pairs$row2, k]), tolerance = 1e-9)
    expect_equal(out[[paste0(k, "_diff")]], unname(s[ref$pairs$row1, k] - s[ref$pairs$row2, k]), tolerance = 1e-9)
  }
  k07 <- out[out$dyad == "K07", ]
  expect_true(is.na(k07$anxiety_1) || is.na(k07$anxiety_2))
  rep <- attr(out, "report")
  expect_identical(rep$dyads, 52L)
  expect_false(rep$distinguishable)
  expect_identical(as.list(rep$unpaired), as.list(ref$unpaired))
  expect_identical(sort(rep$unpaired$reason), c("more than two rows", "no dyad id", "one row"))
  expect_null(rep$partner_correlation)
})

test_that("dyads() gives the pairwise intraclass and cross-intraclass correlations of Griffin & Gonzalez", {
  d <- make_couples()
  out <- bowlby::dyads(d, couple_key(), dyad = "couple", items = couple_items)
  rep <- attr(out, "report")
  expect_identical(rep$intraclass$x, scores_of)
  expect_identical(rep$intraclass$y, scores_of)
  for (i in seq_along(scores_of)) {
    k <- scores_of[i]
    ref <- reference_icc(out[[paste0(k, "_1")]], out[[paste0(k, "_2")]])
    expect_equal(rep$intraclass$r[i], ref[["r"]], tolerance = 1e-9)
    expect_equal(rep$intraclass$z[i], ref[["z"]], tolerance = 1e-9)
    expect_equal(rep$intraclass$n[i], ref[["n"]])
  }
  expect_equal(rep$intraclass$n, c(51, 52, 51, 51))  # K07 lacks an anxiety score
  # The planted similarity: partners share a latent level with sd 1.2 against 0.6 of their own.
  expect_true(all(rep$intraclass$r[1:2] > 0.5))
  pairs <- t(combn(scores_of, 2))
  expect_identical(rep$cross_intraclass$x, pairs[, 1])
  expect_identical(rep$cross_intraclass$y, pairs[, 2])
  expect_null(rep$cross_intraclass$z)
  for (i in seq_len(nrow(pairs))) {
    x <- pairs[i, 1]
    y <- pairs[i, 2]
    ref <- reference_cross_icc(out[[paste0(x, "_1")]], out[[paste0(x, "_2")]],
                               out[[paste0(y, "_1")]], out[[paste0(y, "_2")]])
    expect_equal(rep$cross_intraclass$r[i], ref[["r"]], tolerance = 1e-9)
    expect_equal(rep$cross_intraclass$n[i], ref[["n"]])
  }
})

test_that("dyads() with distinguish orders partners by role, as numbers, and gives Pearson correlations", {
  d <- make_couples()
  out <- bowlby::dyads(d, couple_key(), dyad = "couple", distinguish = "role", items = couple_items)
  ref <- reference_pairing(d$couple, d$role)
  s <- reference_scores(d)
  expect_identical(out$dyad, ref$pairs$dyad)
  expect_false("E1" %in% out$dyad)
  expect_equal(out$anxiety_1, unname(s[ref$pairs$row1, "anxiety"]), tolerance = 1e-9)
  # R9: the row with role 9 is partner 1 (9 < 10 as numbers, though "10" < "9" as text).
  r9 <- which(d$couple %in% "R9")
  expect_equal(out$avoidance_1[out$dyad == "R9"], unname(s[r9[d$role[r9] == "9"], "avoidance"]), tolerance = 1e-9)
  # Every couple's partner 1 has role 1.
  k <- grepl("^K", out$dyad)
  expect_equal(out$anxiety_1[k], unname(s[ref$pairs$row1[k], "anxiety"]), tolerance = 1e-9)
  expect_true(all(d$role[ref$pairs$row1[k]] == "1"))
  rep <- attr(out, "report")
  expect_true(rep$distinguishable)
  expect_null(rep$intraclass)
  expect_identical(as.list(rep$unpaired), as.list(ref$unpaired))
  expect_identical(rep$unpaired$reason[rep$unpaired$dyad == "E1"], "equal distinguishing values")
  for (i in seq_along(scores_of)) {
    a <- out[[paste0(scores_of[i], "_1")]]
    b <- out[[paste0(scores_of[i], "_2")]]
    expect_equal(rep$partner_correlation$r[i], cor(a, b, use = "complete.obs"), tolerance = 1e-9)
    expect_equal(rep$partner_correlation$n[i], sum(!is.na(a) & !is.na(b)))
  }
  cp <- rep$cross_partner_correlation
  expect_identical(nrow(cp), 12L)  # each ordered pair of different scores
  for (i in seq_len(nrow(cp))) {
    a <- out[[paste0(cp$x[i], "_1")]]
    b <- out[[paste0(cp$y[i], "_2")]]
    expect_equal(cp$r[i], cor(a, b, use = "complete.obs"), tolerance = 1e-9)
    expect_equal(cp$n[i], sum(!is.na(a) & !is.na(b)))
  }
  expect_identical(cp$x[1:3], c("anxiety", "anxiety", "anxiety"))
  expect_identical(cp$y[1:3], c("avoidance", "total", "balance"))
})

test_that("dyads() with classify gives the categories, the pairing and the counts of the ten pairings", {
  d <- make_couples()
  out <- bowlby::dyads(d, couple_key(), dyad = "couple", items = couple_items, classify = "midpoint")
  ref <- reference_pairing(d$couple)
  s <- reference_scores(d)
  cat <- midpoint_category(s[, "anxiety"], s[, "avoidance"])
  expect_identical(as.character(out$category_1), cat[ref$pairs$row1])
  expect_identical(as.character(out$category_2), cat[ref$pairs$row2])
  a <- cat[ref$pairs$row1]
  b <- cat[ref$pairs$row2]
  pairing <- ifelse(a == "unclassified" | b == "unclassified", NA,
                    paste(pmin(a, b), pmax(a, b), sep = "+"))
  expect_identical(out$pairing, pairing)
  four <- c("dismissing", "fearful", "preoccupied", "secure")
  ten <- sort(unlist(lapply(1:4, function(i) paste(four[i], four[i:4], sep = "+"))), method = "radix")
  counts <- c(vapply(ten, function(p) sum(pairing == p, na.rm = TRUE), 0L), unclassified = sum(is.na(pairing)))
  expect_identical(attr(out, "report")$pairings, counts)
  expect_true(attr(out, "report")$pairings[["unclassified"]] >= 1)  # K07
})

test_that("dyads(layout = 'pairwise') gives each partner once as the actor", {
  d <- make_couples()
  wide <- bowlby::dyads(d, couple_key(), dyad = "couple", items = couple_items, classify = "midpoint")
  pw <- bowlby::dyads(d, couple_key(), dyad = "couple", items = couple_items, classify = "midpoint",
                      layout = "pairwise")
  expect_identical(names(pw), c("dyad", "actor", as.vector(rbind(scores_of, paste0("partner_", scores_of))),
                                "category", "partner_category"))
  expect_identical(pw$dyad, rep(wide$dyad, each = 2))
  expect_identical(pw$actor, rep(1:2, nrow(wide)))
  one <- pw$actor == 1
  expect_identical(pw$anxiety[one], wide$anxiety_1)
  expect_identical(pw$partner_anxiety[one], wide$anxiety_2)
  expect_identical(pw$avoidance[!one], wide$avoidance_2)
  expect_identical(pw$partner_avoidance[!one], wide$avoidance_1)
  expect_identical(pw$category[!one], wide$category_2)
  expect_identical(pw$partner_category[!one], wide$category_1)
  expect_identical(attr(pw, "report")$intraclass, attr(wide, "report")$intraclass)
})

test_that("dyads(strict = TRUE) names each dyad that cannot be paired", {
  d <- make_couples()
  err <- expect_error(bowlby::dyads(d, couple_key(), dyad = "couple", distinguish = "role", items = couple_items,
                                    strict = TRUE),
                      class = "bowlby_pairing_error")
  expect_s3_class(err, "bowlby_error")
  m <- conditionMessage(err)
  expect_match(m, "4 dyad(s) cannot be paired (strict = TRUE)", fixed = TRUE)
  expect_match(m, sprintf("dyad 'S1' (row %d): one row, no partner", which(d$couple %in% "S1")), fixed = TRUE)
  t1 <- which(d$couple %in% "T1")
  expect_match(m, sprintf("dyad 'T1' (rows %d, %d and %d): 3 rows, a dyad has two", t1[1], t1[2], t1[3]), fixed = TRUE)
  e1 <- which(d$couple %in% "E1")
  expect_match(m, sprintf("dyad 'E1' (rows %d and %d): both partners have role '1', the partners cannot be told apart",
                          e1[1], e1[2]), fixed = TRUE)
  expect_match(m, sprintf("a row with no dyad id (row %d)", which(is.na(d$couple))), fixed = TRUE)
  # Only the complete couples: no error.
  ok <- d[grepl("^K", d$couple), ]
  expect_identical(nrow(bowlby::dyads(ok, couple_key(), dyad = "couple", items = couple_items, strict = TRUE)), 50L)
})

test_that("dyads() says which argument is wrong", {
  d <- make_couples()
  expect_error(bowlby::dyads(d, couple_key(), dyad = "pair", items = couple_items), class = "bowlby_option_error",
               regexp = "'pair'")
  expect_error(bowlby::dyads(d, couple_key(), dyad = "couple", distinguish = "sex", items = couple_items),
               class = "bowlby_option_error", regexp = "distinguish")
  expect_error(bowlby::dyads(d, couple_key(), dyad = "couple", items = couple_items, classify = "nope"),
               class = "bowlby_option_error")
})
