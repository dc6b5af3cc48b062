# Corpus: taglib -- a C++ library (audio metadata), header-heavy enough (the standard
# library in every unit): about 140 C++ units through CMake's Makefile generator, each with
# `-MD` depfiles as CMake writes them. Loaded by ../shared/bench/lib.sh from the bench
# directory scripts/bench-cxx.sh lays out (the shared harness plus this file).
CORPUS_PKG=taglib
CORPUS_VERSION=1.13-2+deb12u1
CORPUS_DIRNAME=taglib-1.13
CORPUS_BUILD_DEPS="cmake zlib1g-dev libutfcpp-dev"
CORPUS_VISIBILITY=public

# Runs inside the work tree, with the shim directory already first on PATH: CMake records
# the c++ it finds there. Tests and bindings off, as a plain library build.
corpus_configure() {
  cmake -S . -B build -G 'Unix Makefiles' -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=cc -DCMAKE_CXX_COMPILER=c++ -DBUILD_TESTING=OFF -DBUILD_EXAMPLES=OFF \
    -DBUILD_BINDINGS=OFF -DBUILD_SHARED_LIBS=ON >/dev/null
}

corpus_build() {
  make -C build -j"$JOBS" >/dev/null
}
