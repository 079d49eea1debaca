# gapflow - network flow monitor that reports capture gaps.
#
#   make              build gapflow and gapdump
#   make demo         dependencies, build, run the sensor on a sample capture
#                     with a capture gap and a simplex flow
#   make check        dependencies, build, every test; ends "N passed, N failed"
#   make check SANITIZE=1   the same under ASan + UBSan
#   make fuzz         libFuzzer harnesses (clang), run briefly
#   make bench        benchmark against a bare libpcap loop and argus
#   make accuracy     gap accuracy table against ground truth
#   make soak         long live run (root, netns; SOAK_SECONDS, default 3600)
#   make install PREFIX=/usr/local

PREFIX  ?= /usr/local
CC      ?= cc
PKGS     = libpcap zlib yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifeq ($(strip $(PKG_LIBS)),)
PKG_LIBS := -lpcap -lz -lyaml
endif

CSTD     = -std=c11 -D_GNU_SOURCE
WARN     = -Wall -Wextra -Werror
OPT     ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) -Icommon -Isensor -Iclient $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm

ifeq ($(SANITIZE),1)
B        = build-san
CFLAGS_ALL += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_ALL = -fsanitize=address,undefined
else
B        = build
endif

COMMON_SRC = $(wildcard common/*.c)
SENSOR_SRC = $(filter-out sensor/main.c,$(wildcard sensor/*.c))
CLIENT_SRC = $(filter-out client/main.c,$(wildcard client/*.c))
UNIT_SRC   = $(wildcard tests/unit/test_*.c)
TOOL_SRC   = $(wildcard tests/tools/*.c)
TLIB_SRC   = $(wildcard tests/lib/*.c)
TLIB_OBJ   = $(TLIB_SRC:%.c=$(B)/%.o)

COMMON_OBJ = $(COMMON_SRC:%.c=$(B)/%.o)
SENSOR_OBJ = $(SENSOR_SRC:%.c=$(B)/%.o)
CLIENT_OBJ = $(CLIENT_SRC:%.c=$(B)/%.o)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_BIN   = $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)

GAPFLOW = $(B)/gapflow
GAPDUMP = $(B)/gapdump

.PHONY: all deps deps-test demo check test fuzz bench accuracy install clean soak

all: $(GAPFLOW) $(GAPDUMP)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/libgfcommon.a: $(COMMON_OBJ)
	ar rcs $@ $^
$(B)/libgfsensor.a: $(SENSOR_OBJ)
	ar rcs $@ $^
$(B)/libgfclient.a: $(CLIENT_OBJ)
	ar rcs $@ $^
$(B)/libgftest.a: $(TLIB_OBJ)
	ar rcs $@ $^

$(GAPFLOW): $(B)/sensor/main.o $(B)/libgfsensor.a $(B)/libgfcommon.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)
$(GAPDUMP): $(B)/client/main.o $(B)/libgfclient.a $(B)/libgfcommon.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

TEST_LIBS = $(B)/libgftest.a $(B)/libgfsensor.a $(B)/libgfclient.a $(B)/libgfcommon.a

$(B)/tests/%: tests/unit/%.c tests/unit/testlib.h $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -Itests/unit -Itests/lib -o $@ $< $(TEST_LIBS) $(LDLIBS_ALL)

$(B)/tools/%: tests/tools/%.c $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -Itests/lib -o $@ $< $(TEST_LIBS) $(LDLIBS_ALL)

deps:
	@sh .ci/deps build
deps-test:
	@sh .ci/deps test

demo: deps
	@$(MAKE) --no-print-directory all
	@echo "== $(GAPFLOW) -r tests/captures/demo-gap.pcap -w - | $(GAPDUMP) -r -"
	@$(GAPFLOW) -r tests/captures/demo-gap.pcap -w - | $(GAPDUMP) -r -
	@echo "sgap/dgap: bytes the other side acknowledged that the capture never saw (a capture gap: the tap or sensor lost them, not the network);"
	@echo "flgs: g = a gap in this record, S = simplex (one direction only seen); sloss/dloss count retransmissions, the network's own loss."

check: deps-test
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TOOL_BIN)
	@sh tests/run.sh $(B)

test: check

fuzz:
	@sh tests/fuzz/run.sh

bench: all
	@$(MAKE) --no-print-directory $(TOOL_BIN)
	@sh tests/bench/run.sh $(B)

accuracy: all
	@$(MAKE) --no-print-directory $(TOOL_BIN)
	@sh tests/accuracy/run.sh $(B)

soak: all
	@$(MAKE) --no-print-directory $(TOOL_BIN)
	@sh tests/soak/run.sh $(B)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/doc/gapflow $(DESTDIR)$(PREFIX)/share/gapflow
	install -m 755 $(GAPFLOW) $(GAPDUMP) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/gapdump.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/gapflow.yaml.5 man/gapflow-records.5 man/gapflow-ipfix.5 \
	    $(DESTDIR)$(PREFIX)/share/man/man5/
	install -d $(DESTDIR)$(PREFIX)/share/gapflow/ipfix
	install -m 644 ipfix/gapflow-fixbuf.xml ipfix/gapflow-libfds.xml \
	    ipfix/gapflow-pmacct.lst ipfix/gapflow-logstash.yml \
	    $(DESTDIR)$(PREFIX)/share/gapflow/ipfix/
	install -m 644 man/gapflow.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 man/gapflow.yaml.example $(DESTDIR)$(PREFIX)/share/doc/gapflow/
	install -m 644 contrib/gapflow-alerts.yml $(DESTDIR)$(PREFIX)/share/gapflow/
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|@BINDIR@|$(PREFIX)/bin|g' sensor/gapflow.service \
	    >$(DESTDIR)$(PREFIX)/lib/systemd/system/gapflow.service
	chmod 644 $(DESTDIR)$(PREFIX)/lib/systemd/system/gapflow.service

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
