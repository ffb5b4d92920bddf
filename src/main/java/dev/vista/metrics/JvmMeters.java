package dev.vista.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The JVM's and the process's meters (memory, GC, threads, classes, CPU, open files, uptime): Micrometer's binders, with
 * the two names of its ProcessorMetrics that {@code promtool check metrics} rejects replaced. {@code process.cpu.time}
 * (nanoseconds, so {@code process_cpu_time_ns_total}) becomes Prometheus' own {@code process_cpu_seconds_total}, and
 * {@code system.cpu.count} (a gauge ending in {@code _count}, which reads as a histogram's) becomes {@code system_cpus}.
 */
public final class JvmMeters implements AutoCloseable {

    private final List<MeterBinder> binders = List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(),
            new ClassLoaderMetrics(), new JvmInfoMetrics(), new ProcessorMetrics(), new FileDescriptorMetrics(), new UptimeMetrics());

    private JvmMeters() {
    }

    /** Binds them; call it before other meters are registered, since it adds the renaming filters to the registry. */
    public static JvmMeters bindTo(MeterRegistry registry) {
        registry.config()
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
                    }
                });
        var meters = new JvmMeters();
        meters.binders.forEach(binder -> binder.bindTo(registry));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the Java virtual machine's process")
                    .baseUnit("seconds")
                    .register(registry);
        }
        return meters;
    }

    /** Unbinds the binders that listen to the JVM (the GC's notifications). */
    @Override
    public void close() {
        for (var binder : binders) {
            if (binder instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not unbind " + binder.getClass().getSimpleName(), e);
                }
            }
        }
    }
}
