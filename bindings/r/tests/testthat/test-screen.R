# screen() against base R written from the definitions of the indices: the repository's
# tests/reference/screen_reference.R (not calling bowlby), with the answers, planted careless
# rows included, from tests/reference/make_screen_fixture.R. Both are shipped beside these
# tests (R CMD build copies the links as files) and run with Rscript, as the C++ tests run them.

run_reference <- function(script, args) {
  err <- tempfile()
  status <- system2(file.path(R.home("bin"), "Rscript"), c(shQuote(test_path(script)), args), stdout = FALSE,
                    stderr = err)
  if (status != 0) stop(script, " exited ", status, ": ", paste(readLines(err), collapse = "\n"))
}

# 2,000 attentive rows and 30 planted careless ones (10 straight-liners, 10 who agree with every
# item whatever its direction, 10 random), one row without an answer; columns id, Q1..Qp,
# duration, planted.
screen_fixture <- function(id, lo, hi) {
  path <- tempfile(fileext = ".csv")
  run_reference("make_screen_fixture.R", c(shQuote(path), id, lo, hi, 2000, 10, 26))
  list(path = path, data = utils::read.csv(path, na.strings = "", stringsAsFactors = FALSE))
}

# Every column of R's reference equal to ours to 1e-9 relative to max(1, |value|), NA where
# R has NA.
expect_like_reference <- function(ours, expected) {
  compared <- 0
  for (col in names(expected)) {
    expect_true(col %in% names(ours), label = paste("column", col))
    a <- ours[[col]]
    b <- as.numeric(expected[[col]])
    expect_identical(is.na(a), is.na(b), label = paste(col, "undefined where R's is"))
    ok <- !is.na(a) & !is.na(b)
    expect_lte(max(c(0, abs(a[ok] - b[ok]) / pmax(1, abs(b[ok])))), 1e-9, label = col)
    compared <- compared + sum(ok)
  }
  compared
}

for (case in list(list(id = "ecr", lo = 1, hi = 5, items = "Q1:Q36"), list(id = "rsq", lo = 1, hi = 5, items = "Q1:Q30"),
                  list(id = "ecr-rs", lo = 1, hi = 7, items = "Q1:Q36"))) {
  test_that(paste("screen() equals base R's indices on", case$id), {
    f <- screen_fixture(case$id, case$lo, case$hi)
    expected_path <- tempfile(fileext = ".csv")
    run_reference("screen_reference.R", c(shQuote(f$path), shQuote(expected_path), case$id, "Q1", case$lo, case$hi,
                                          "none", "duration", 0.4, -0.4))
    expected <- utils::read.csv(expected_path, na.strings = "")
    ours <- screen(f$data, case$id, items = case$items, scale = c(case$lo, case$hi), duration = "duration",
                   syn_r = 0.4, ant_r = -0.4)
    expect_identical(names(ours), c(names(expected), "flags", "n_flags"))
    expect_identical(nrow(ours), nrow(f$data))
    expect_gt(expect_like_reference(ours, expected), 10000)  # the indices of 2,031 rows, not a handful
    # one_pass: the same indices without those that need the sample.
    quick <- screen(f$data, case$id, items = case$items, scale = c(case$lo, case$hi), one_pass = TRUE)
    expect_identical(names(quick), c(setdiff(names(expected), c("psychsyn", "psychant", "mahad", "mahad_df", "mahad_p",
                                                                "seconds_per_item")), "flags", "n_flags"))
    for (col in setdiff(names(quick), c("flags", "n_flags"))) expect_identical(quick[[col]], ours[[col]], label = col)
  })
}

test_that("on the ECR the planted careless rows are the flagged ones, and the row names are kept", {
  f <- screen_fixture("ecr", 1, 5)
  d <- f$data
  rownames(d) <- paste0("p", d$id)
  s <- screen(d, "ecr", items = "Q1:Q36", scale = c(1, 5), duration = "duration")
  expect_identical(rownames(s), rownames(d))
  planted <- !is.na(d$planted)
  expect_identical(sum(planted), 30L)
  expect_identical(s$n_flags > 0, planted)
  expect_true(all(s$flags[planted] != ""))
  expect_true(all(s$flags[!planted] == ""))
  expect_true(all(grepl("longstring", s$flags[which(d$planted == "straight")])))
  expect_true(all(grepl("reverse_gap", s$flags[which(d$planted == "rawline")])))
  expect_identical(s$n_flags, vapply(strsplit(s$flags, ";"), length, 0L))
  rules <- attr(s, "flags_in_force")
  expect_identical(rules$name, c("longstring", "irv", "evenodd", "psychsyn", "psychant", "reverse_gap_anxiety",
                                 "reverse_gap_avoidance", "mahad_p", "seconds_per_item"))
  expect_identical(rules$threshold[rules$name == "longstring"], 18)  # ceil(36 / 2)
  expect_identical(attr(s, "covariance_problem"), "")
  # A flag's threshold changed and a flag turned off.
  t <- screen(d, "ecr", items = "Q1:Q36", scale = c(1, 5), duration = "duration",
              flags = list(irv = 0.75, longstring = "off", mahad_p = NA))
  rules <- attr(t, "flags_in_force")
  expect_false(any(c("longstring", "mahad_p") %in% rules$name))
  expect_identical(rules$threshold[rules$name == "irv"], 0.75)
  expect_identical(rules$source[rules$name == "irv"], "given with flags =")
  expect_identical(t$n_flags, vapply(strsplit(t$flags, ";"), function(x) sum(x %in% rules$name), 0L))
  expect_identical(grepl("(^|;)irv(;|$)", t$flags), !is.na(s$irv) & s$irv <= 0.75)
})

test_that("longstring reads the presented order; irv and longstring_avg by hand", {
  # ECR-S (12 items on 1-7): one row 2 2 2 5 5 1 1 1 1 3 NA 3 in key order: runs 3, 2, 4, 1, 1
  # (the gap ends a run), so longstring 4 and longstring_avg 11 / 5.
  row <- c(2, 2, 2, 5, 5, 1, 1, 1, 1, 3, NA, 3)
  x <- rbind(row, rep(c(1, 2), 6), rep(4, 12))
  colnames(x) <- paste0("Q", 1:12)
  s <- screen(x, "ecr-s", one_pass = TRUE)
  expect_identical(s$longstring[1], 4)
  expect_equal(s$longstring_avg[1], 11 / 5, tolerance = 1e-14)
  answered <- row[!is.na(row)]
  expect_equal(s$irv[1], sqrt(sum((answered - mean(answered))^2) / 10), tolerance = 1e-14)
  expect_true(is.na(s$evenodd[1]))  # two subscales: undefined, never +-1
  expect_identical(s$longstring[2], 1)
  # Shown odd items first, then even ones: the second row answers 1 six times, then 2 six times.
  p <- screen(x, "ecr-s", one_pass = TRUE, presented_order = c(paste0("Q", seq(1, 11, 2)), paste0("Q", seq(2, 12, 2))))
  expect_identical(p$longstring[2], 6)
  expect_identical(p$longstring[3], 12)
})

test_that("screen() errors name the problem", {
  f <- screen_fixture("ecr", 1, 5)
  d <- f$data[1:60, ]
  expect_error(screen(d, "ecr", items = "Q1:Q36", scale = c(1, 5), flags = c(speed = 2)),
               "no flag 'speed' for this instrument \\(flags: longstring, irv", class = "bowlby_option_error")
  expect_error(screen(d, "ecr", items = "Q1:Q36", scale = c(1, 5), presented_order = c("Q1", "Q1:Q36")),
               "presented_order names 'Q1' twice", class = "bowlby_option_error")
  expect_error(screen(d, "ecr", items = "Q1:Q36", scale = c(1, 5), presented_order = "Q1:Q35"),
               "presented_order names 35 item columns", class = "bowlby_option_error")
  slow <- d
  slow$duration <- as.character(slow$duration)
  slow$duration[4] <- "slow"
  expect_error(screen(slow, "ecr", items = "Q1:Q36", scale = c(1, 5), duration = "duration"),
               "duration: row '4' has 'slow'", class = "bowlby_option_error")
  expect_error(screen(d, "ecr", items = "Q1:Q36", scale = c(1, 5), flags = list(irv = "low")),
               "flags\\[\\[\"irv\"\\]\\] takes a number", class = "bowlby_option_error")
  bad <- d
  bad$Q7[3] <- 9
  e <- expect_error(screen(bad, "ecr", items = "Q1:Q36", scale = c(1, 5)), class = "bowlby_invalid_response")
  expect_identical(c(e$row, e$column), c("3", "Q7"))
  expect_identical(nrow(screen(bad, "ecr", items = "Q1:Q36", scale = c(1, 5), on_invalid = "missing")), 60L)
  expect_error(screen(d, "ecr", items = "Q1:Q30"), "the instrument has 36 items", class = "bowlby_shape_error")
})
