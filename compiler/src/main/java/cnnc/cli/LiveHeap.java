package cnnc.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The most heap a phase kept alive: the largest heap in use right after any collection while it
 * ran, and after one forced at its end. Unlike the pools' peak usage this does not count garbage
 * the collector has not needed to reclaim yet (with a default heap of a quarter of the machine's
 * memory, the Vector API's boxed temporaries of the JIT warm-up pile up to hundreds of MB and go
 * in the first young collection): it is the heap the phase needs, what {@code -Xmx} must allow.
 */
final class LiveHeap implements NotificationListener, AutoCloseable {

    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final Set<String> heapPools = new HashSet<>();
    private volatile long peak;

    LiveHeap() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(this, null, null);
                emitters.add(e);
            }
        }
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        record(used);
    }

    private synchronized void record(long used) {
        peak = Math.max(peak, used);
    }

    /** Collects, then returns the peak: the largest heap in use after a collection since this began. */
    long peakAfterCollecting() {
        System.gc();
        record(heapBytes(MemoryPoolMXBean::getUsage));
        return peak;
    }

    /** The sum over the heap pools of the bytes in use of {@code which} of their usages (current, peak). */
    static long heapBytes(Function<MemoryPoolMXBean, MemoryUsage> which) {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                sum += which.apply(p).getUsed();
            }
        }
        return sum;
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
