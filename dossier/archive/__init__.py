"""The electronic archive (电子档案): arranging a closed case's main volume, the generated sheets,
the sealed e-volume, the BagIt package, fixity checks and borrowing (调阅)."""
