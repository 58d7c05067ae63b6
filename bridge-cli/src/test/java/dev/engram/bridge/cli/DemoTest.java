package dev.engram.bridge.cli;

import static com.google.common.truth.Truth.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void noArguments_runsTheDemoToItsSummary_andExits0() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run();

    assertThat(code).isEqualTo(0);
    assertThat(cli.out()).contains("step 1: a removal arrives on the stream");
    assertThat(cli.out()).contains("cache-cleaner <- beta via heartbeat");
    assertThat(cli.out()).contains("audit-log succeeded on its second attempt");
    assertThat(cli.out()).contains("bridge threads left: 0");
    assertThat(cli.out()).contains("summary: delivered 3, duplicates suppressed ");
    assertThat(cli.out()).contains(", lost 0");
  }
}
