# dyads() and change() against the `bowlby dyads` and `bowlby change` commands on the same
# files: every column of the command's CSV equal to R's. The tool is found through BOWLBY_CLI
# (scripts/test.sh sets it to build/release/bowlby); without it these tests skip visibly.

bowlby_cli <- function() {
  path <- Sys.getenv("BOWLBY_CLI")
  if (!nzchar(path) || !file.exists(path))
    testthat::skip("the bowlby tool is absent (set BOWLBY_CLI to the built tool, build/release/bowlby)")
  path
}

# Runs the tool; its output CSV as text cells ("" for an empty cell), its report as a list.
run_cli <- function(tool, args) {
  out <- tempfile(fileext = ".csv")
  report <- tempfile(fileext = ".json")
  err <- tempfile()
  status <- system2(tool, c(args, "--output", shQuote(out), "--report", shQuote(report)), stdout = FALSE,
                    stderr = err)
  expect_identical(status, 0L, label = paste("bowlby", args[1], paste(readLines(err), collapse = "\n")))
  rows <- utils::read.csv(out, na.strings = "", colClasses = "character", check.names = FALSE)
  list(rows = rows, report = if (requireNamespace("jsonlite", quietly = TRUE)) jsonlite::fromJSON(report))
}

write_csv <- function(x) {
  path <- tempfile(fileext = ".csv")
  utils::write.csv(x, path, row.names = FALSE, na = "")
  path
}

# Every column of the command's rows equal to R's: numbers to 1e-12, categories and text as
# character (an empty cell is NA), true/false as logical.
expect_same_rows <- function(ours, theirs) {
  expect_identical(names(ours), names(theirs))
  expect_identical(nrow(ours), nrow(theirs))
  for (col in names(theirs)) {
    a <- ours[[col]]
    b <- theirs[[col]]
    if (is.logical(a)) {
      expect_true(all(is.na(b) | b %in% c("true", "false")), label = col)
      expect_identical(a, ifelse(is.na(b), NA, b == "true"), label = col)
    } else if (is.numeric(a)) {
      v <- as.numeric(b)
      expect_identical(is.na(a), is.na(v), label = paste(col, "missing"))
      ok <- !is.na(v)
      expect_lte(max(c(0, abs(a[ok] - v[ok]) / pmax(1, abs(v[ok])))), 1e-12, label = col)
    } else {
      expect_identical(as.character(a), b, label = col)
    }
  }
}

# ECR-S: 12 items on 1-7; anxiety = items 2 4 6 8 10 12 (8 reversed), avoidance = 1 3 5 7 9 11
# (1 5 9 reversed). Answers whose keyed means lie near the latent levels.
ecrs_answers <- function(anx, avo) {
  n <- length(anx)
  x <- matrix(NA_real_, n, 12, dimnames = list(NULL, paste0("Q", 1:12)))
  for (j in c(2, 4, 6, 8, 10, 12)) x[, j] <- pmin(7, pmax(1, round(anx + rnorm(n, sd = 0.8))))
  for (j in c(1, 3, 5, 7, 9, 11)) x[, j] <- pmin(7, pmax(1, round(avo + rnorm(n, sd = 0.8))))
  x[, c(8, 1, 5, 9)] <- 8 - x[, c(8, 1, 5, 9)]
  x
}

# 60 couples with planted similarity, then a single, a triple, a couple whose roles are equal
# and a row without a couple id; an unanswered item and a missing avoidance score.
cli_couples <- function() {
  set.seed(27)
  n <- 60
  sa <- rnorm(n, 4, 1)
  sv <- rnorm(n, 3.5, 1)
  x <- ecrs_answers(c(sa + rnorm(n, sd = 0.6), sa + rnorm(n, sd = 0.6)),
                    c(sv + rnorm(n, sd = 0.6), sv - 0.5 + rnorm(n, sd = 0.6)))
  x[6, 1] <- NA
  x[71, c(1, 3, 5, 7)] <- NA
  d <- data.frame(couple = rep(sprintf("C%02d", 1:n), 2), role = rep(c(2, 1), each = n), x)
  extra <- data.frame(couple = c("S1", "T1", "T1", "T1", "E1", "E1", NA), role = c(1, 1, 2, 1, 2, 2, 1),
                      ecrs_answers(rep(4, 7), rep(4, 7)))
  rbind(d, extra)
}

test_that("dyads() equals `bowlby dyads` (wide and pairwise, with and without roles, median rule)", {
  tool <- bowlby_cli()
  d <- cli_couples()
  path <- write_csv(d)
  for (layout in c("wide", "pairwise")) {
    for (role in c(FALSE, TRUE)) {
      args <- c("dyads", "--instrument", "ecr-s", "--items", "Q1:Q12", "--dyad", "couple", "--layout", layout,
                "--classify", "median", if (role) c("--distinguish", "role"), shQuote(path))
      cli <- run_cli(tool, args)
      ours <- bowlby::dyads(d, "ecr-s", items = "Q1:Q12", dyad = "couple", distinguish = if (role) "role",
                            layout = layout, classify = "median")
      expect_same_rows(ours, cli$rows)
      rep <- attr(ours, "report")
      expect_identical(rep$dyads, if (role) 60L else 61L)  # without roles, E1 is a couple
      if (!is.null(cli$report)) {
        expect_identical(rep$dyads, as.integer(cli$report$dyads))
        expect_identical(rep$unpaired$dyad, cli$report$unpaired$dyad)
        expect_identical(rep$unpaired$reason, cli$report$unpaired$reason)
        expect_identical(as.list(rep$pairings), lapply(cli$report$pairings[names(rep$pairings)], as.integer))
      }
    }
  }
})

test_that("change() equals `bowlby change` with two files, functional norms and the median rule", {
  tool <- bowlby_cli()
  set.seed(91)
  n <- 80
  anx <- rnorm(n, 4.5, 1)
  avo <- rnorm(n, 4, 1)
  shift <- ifelse(seq_len(n) <= 10, -2, 0)
  pre <- data.frame(id = paste0("P", 1:n), ecrs_answers(anx, avo))
  post <- data.frame(id = paste0("P", 1:n), ecrs_answers(anx + shift, avo + shift))
  pre <- rbind(pre, data.frame(id = "ONLYPRE", ecrs_answers(4, 4)))
  post <- rbind(post, data.frame(id = "ONLYPOST", ecrs_answers(4, 4)), post[80, ])
  post[4, 2:4] <- NA
  rownames(post) <- NULL
  cli <- run_cli(tool, c("change", "--instrument", "ecr-s", "--items", "Q1:Q12", "--id", "id",
                         "--pre-file", shQuote(write_csv(pre)), "--post-file", shQuote(write_csv(post)),
                         "--functional", "3:1,2.5:0.9", "--classify", "median"))
  ours <- bowlby::change(pre, post, "ecr-s", id = "id", items = "Q1:Q12",
                         functional = list(c(3, 1), c(2.5, 0.9)), classify = "median")
  expect_true(all(c("category_pre", "category_pre_p", "category_post", "category_post_p") %in% names(ours)))
  expect_same_rows(ours, cli$rows)
  rep <- attr(ours, "report")
  expect_identical(rep$n_paired, 79L)
  if (!is.null(cli$report)) {
    expect_identical(rep$n_paired, as.integer(cli$report$paired))
    t <- cli$report$transitions
    for (a in names(t))
      for (b in names(t[[a]])) expect_identical(as.integer(rep$transitions[a, b]), as.integer(t[[a]][[b]]))
    expect_identical(sum(rep$transitions), 79L)
  }
})
