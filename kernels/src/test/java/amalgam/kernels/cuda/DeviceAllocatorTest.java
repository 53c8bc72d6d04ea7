package amalgam.kernels.cuda;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching logic, against a fake device (runs without a GPU). */
class DeviceAllocatorTest {

    /** Hands out fresh handles up to a capacity, like a device with that much memory. */
    static final class FakeMemory implements DeviceAllocator.Memory {
        final long capacity;
        long used;
        final List<CUdeviceptr> allocations = new ArrayList<>();
        final List<Long> sizes = new ArrayList<>();
        int frees;

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public CUdeviceptr allocate(long bytes) {
            if (used + bytes > capacity) throw new CudaException("CUDA_ERROR_OUT_OF_MEMORY");
            used += bytes;
            CUdeviceptr pointer = new CUdeviceptr();
            allocations.add(pointer);
            sizes.add(bytes);
            return pointer;
        }

        @Override
        public void free(CUdeviceptr pointer) {
            used -= sizes.get(allocations.indexOf(pointer));
            frees++;
        }
    }

    @Test
    void bucketsArePowersOfTwoThenEighths() {
        assertEquals(256, DeviceAllocator.bucketSize(0));
        assertEquals(256, DeviceAllocator.bucketSize(1));
        assertEquals(256, DeviceAllocator.bucketSize(256));
        assertEquals(512, DeviceAllocator.bucketSize(257));
        assertEquals(1 << 20, DeviceAllocator.bucketSize((1 << 19) + 1));
        assertEquals(1 << 20, DeviceAllocator.bucketSize(1 << 20));
        // Above 1 MiB: multiples of 1/8 of the leading power of two.
        assertEquals((1 << 20) + (1 << 17), DeviceAllocator.bucketSize((1 << 20) + 1));
        assertEquals(3L << 30, DeviceAllocator.bucketSize((3L << 30) - 5));
        for (long bytes = 1; bytes < (1L << 34); bytes = bytes * 3 + 7) {
            long bucket = DeviceAllocator.bucketSize(bytes);
            assertTrue(bucket >= bytes && (bytes < (1 << 20) || bucket <= bytes * 1.125 + 1), bytes + " → " + bucket);
        }
    }

    @Test
    void aReleasedBufferIsReusedForTheSameBucket() {
        FakeMemory memory = new FakeMemory(1 << 30);
        DeviceAllocator allocator = new DeviceAllocator(memory);
        DeviceBuffer first = allocator.allocate(1000);
        CUdeviceptr pointer = first.pointer();
        assertEquals(1024, allocator.inUseBytes());
        first.close();
        first.close(); // a second close must not put the buffer on the free list twice
        assertEquals(0, allocator.inUseBytes());
        assertEquals(1024, allocator.cachedBytes());

        try (DeviceBuffer second = allocator.allocate(900)) {
            assertSame(pointer, second.pointer());
            assertEquals(1, memory.allocations.size());
            assertEquals(0, allocator.cachedBytes());
            try (DeviceBuffer third = allocator.allocate(900)) {
                assertEquals(2, memory.allocations.size(), "a buffer in use must not be handed out twice");
            }
        }
        try (DeviceBuffer other = allocator.allocate(5000)) {
            assertEquals(8192, other.capacity());
            assertEquals(3, memory.allocations.size(), "a different bucket allocates fresh memory");
        }
    }

    @Test
    void runningOutEmptiesTheCacheAndRetriesOnce() {
        FakeMemory memory = new FakeMemory(4096);
        DeviceAllocator allocator = new DeviceAllocator(memory);
        allocator.allocate(2048).close();
        allocator.allocate(1024).close();
        assertEquals(3072, allocator.cachedBytes());
        try (DeviceBuffer big = allocator.allocate(4096)) {
            assertEquals(2, memory.frees);
            assertEquals(0, allocator.cachedBytes());
            assertEquals(4096, big.capacity());
        }
        CudaFailure failure = assertThrows(CudaFailure.class, () -> allocator.allocate(8192));
        assertTrue(failure.getMessage().contains("out of GPU memory"), failure.getMessage());
    }
}
