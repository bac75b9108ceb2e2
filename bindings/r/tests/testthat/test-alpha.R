test_that("alpha() equals psych::alpha on bfi's scales with missing answers, pairwise", {
  skip_if_not_installed("psych")
  skip_if_not_installed("psychTools")
  bfi <- psychTools::bfi
  for (s in names(bfi_scales)) {
    x <- bfi[paste0(s, 1:5)]
    expect_true(anyNA(x))
    rev <- bfi_scales[[s]]
    keys <- if (length(rev)) rev else NULL
    theirs <- suppressWarnings(psych::alpha(x, keys = keys))
    expect_like_psych(bowlby::alpha(x, keys = keys), theirs)
  }
})

test_that("alpha() equals psych::alpha listwise (use = \"complete.obs\")", {
  skip_if_not_installed("psych")
  skip_if_not_installed("psychTools")
  bfi <- psychTools::bfi
  for (s in c("A", "C", "O")) {
    x <- bfi[paste0(s, 1:5)]
    keys <- ifelse(names(x) %in% bfi_scales[[s]], -1, 1)
    theirs <- suppressWarnings(psych::alpha(x, keys = keys, use = "complete.obs"))
    expect_like_psych(bowlby::alpha(x, keys = keys, use = "complete.obs"), theirs)
  }
})

test_that("alpha() takes a matrix and a tibble as psych takes the data.frame", {
  skip_if_not_installed("psych")
  skip_if_not_installed("psychTools")
  skip_if_not_installed("tibble")
  x <- psychTools::bfi[paste0("C", 1:5)]
  theirs <- suppressWarnings(psych::alpha(x, keys = c("C4", "C5")))
  ours_m <- bowlby::alpha(as.matrix(x), keys = c("C4", "C5"))
  expect_equal(ours_m$total, theirs$total, tolerance = 1e-9)
  ours_t <- bowlby::alpha(tibble::as_tibble(x), keys = c("C4", "C5"))
  expect_equal(as.matrix(ours_t$alpha.drop), as.matrix(theirs$alpha.drop), tolerance = 1e-9)
})

test_that("alpha() reverses on scale = c(min, max) when given", {
  skip_if_not_installed("psychTools")
  x <- psychTools::bfi[paste0("A", 1:5)]
  # On 1-6 data, scale c(1, 6) is psych's min and max: the same statistics.
  expect_equal(bowlby::alpha(x, keys = "A1", scale = c(1, 6))$total,
               bowlby::alpha(x, keys = "A1")$total, tolerance = 1e-12)
  # A scale of 0-7 reverses A1 as 7 - x: written out here, alpha of the keyed data.
  keyed <- x
  keyed$A1 <- 7 - keyed$A1
  expect_equal(bowlby::alpha(x, keys = "A1", scale = c(0, 7))$total$raw_alpha,
               bowlby::alpha(keyed)$total$raw_alpha, tolerance = 1e-12)
  # An answer off the given scale is an error naming its row and column.
  err <- expect_error(bowlby::alpha(x, keys = "A1", scale = c(1, 5)), class = "bowlby_invalid_response")
  first <- which(rowSums(x == 6, na.rm = TRUE) > 0)[1]  # the first invalid answer in row order
  expect_identical(err$row, rownames(x)[first])
  expect_identical(err$column, names(x)[which(x[first, ] == 6)[1]])
})

test_that("alpha()'s bootstrap gives an interval around alpha, the same for the same seed", {
  skip_if_not_installed("psychTools")
  x <- psychTools::bfi[paste0("O", 1:5)]
  a <- bowlby::alpha(x, keys = c("O2", "O5"), n.iter = 200, seed = 7)
  b <- bowlby::alpha(x, keys = c("O2", "O5"), n.iter = 200, seed = 7)
  expect_identical(names(a$boot.ci), c("2.5%", "97.5%"))
  expect_identical(a$boot.ci, b$boot.ci)
  expect_lt(a$boot.ci[[1]], a$total$raw_alpha)
  expect_gt(a$boot.ci[[2]], a$total$raw_alpha)
})

test_that("alpha() equals psych::alpha on the real ECR file", {
  skip_if_not_installed("psych")
  items <- ecr_file()
  for (odd in c(TRUE, FALSE)) {
    cols <- paste0("Q", if (odd) seq(1, 36, 2) else seq(2, 36, 2))
    x <- items[cols]
    rev <- intersect(cols, paste0("Q", ecr_reversed))
    theirs <- suppressWarnings(psych::alpha(x, keys = rev))
    expect_like_psych(bowlby::alpha(x, keys = rev), theirs)
    theirs_l <- suppressWarnings(psych::alpha(x, keys = rev, use = "complete.obs"))
    expect_like_psych(bowlby::alpha(x, keys = rev, scale = c(1, 5), use = "complete.obs"), theirs_l)
  }
})

test_that("reliability() gives psych's statistics for each subscale of the ECR", {
  skip_if_not_installed("psych")
  items <- ecr_file()
  r <- bowlby::reliability(items, "ecr", scale = c(1, 5))
  expect_identical(names(r), c("anxiety", "avoidance"))
  for (s in names(r)) {
    cols <- paste0("Q", if (s == "avoidance") seq(1, 36, 2) else seq(2, 36, 2))
    theirs <- suppressWarnings(psych::alpha(items[cols], keys = intersect(cols, paste0("Q", ecr_reversed))))
    expect_equal(unlist(r[[s]]$total), unlist(theirs$total), tolerance = 1e-9)
    expect_equal(unname(as.matrix(r[[s]]$alpha.drop)), unname(as.matrix(theirs$alpha.drop)), tolerance = 1e-9)
    expect_equal(unname(as.matrix(r[[s]]$item.stats)), unname(as.matrix(theirs$item.stats)), tolerance = 1e-9)
  }
})

test_that("print() lays alpha out like psych and keeps full precision in the object", {
  skip_if_not_installed("psychTools")
  a <- bowlby::alpha(psychTools::bfi[paste0("A", 1:5)], keys = "A1")
  text <- capture.output(print(a))
  expect_true(any(grepl("^Reliability analysis", text)))
  expect_true(any(grepl("Reliability if an item is dropped", text)))
  expect_true(any(grepl("^A1-", text)))
  expect_true(any(grepl("Feldt", text)) && any(grepl("Duhachek", text)))
  expect_false(a$total$raw_alpha == round(a$total$raw_alpha, 2))
})

test_that("alpha() on answers that are not small whole numbers (read as doubles) equals psych::alpha", {
  skip_if_not_installed("psych")
  skip_if_not_installed("psychTools")
  x <- psychTools::bfi[paste0("E", 1:5)] * 1.5 - 0.25
  theirs <- suppressWarnings(psych::alpha(x, keys = c("E1", "E2")))
  expect_like_psych(bowlby::alpha(x, keys = c("E1", "E2")), theirs)
})

test_that("alpha() equals psych::alpha across blocks, and when a late block turns the answers into doubles", {
  skip_if_not_installed("psych")
  # 40,000 rows: three blocks of the single pass (16,384 rows each). Whole numbers first, as
  # bytes; then half points from row 35,000 on, after two blocks have been added as bytes, so
  # the pass starts again as doubles, and the result must not keep anything of the first try.
  set.seed(7)
  n <- 40000
  latent <- rnorm(n)
  x <- as.data.frame(sapply(1:5, function(j) pmin(7, pmax(1, round(4 + latent + rnorm(n))))))
  x[sample(n, 400), 2] <- NA
  x$V4 <- 8 - x$V4
  x$V1 <- as.integer(x$V1)  # integer and double columns side by side
  expect_like_psych(bowlby::alpha(x, keys = "V4"), suppressWarnings(psych::alpha(x, keys = "V4")))
  halves <- x
  halves$V3[35000:n] <- halves$V3[35000:n] + 0.5 * (halves$V3[35000:n] < 7)
  expect_like_psych(bowlby::alpha(halves, keys = "V4", max = 20),
                    suppressWarnings(psych::alpha(halves, keys = "V4", max = 20)))
  # An answer outside the scale in the third block is named by its row in the data.
  bad <- x
  bad$V2[33000] <- 9
  e <- expect_error(bowlby::alpha(bad, keys = "V4", scale = c(1, 7)), class = "bowlby_invalid_response")
  expect_identical(c(e$row, e$column), c("33000", "V2"))
})
