using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace BpfSharp.Loader.Native
{
    /// <summary>The netlink requests TcNetlink writes and the socket it sends them on.</summary>
    internal static unsafe partial class TcNetlink
    {
        /// <summary>One request in host byte order: the header, a tcmsg, then attributes padded to 4 bytes.</summary>
        private sealed class MessageWriter
        {
            private byte[] _buffer = new byte[256];
            private int _length;

            public MessageWriter(ushort type, ushort flags, int ifindex, uint handle, uint parent, uint info)
            {
                _length = HeaderSize + TcmsgSize;
                Write16(4, type);
                Write16(6, flags);
                // nlmsg_seq is set by the channel; nlmsg_pid 0: the kernel fills in our port.
                _buffer[HeaderSize] = 0; // tcm_family AF_UNSPEC
                Write32(HeaderSize + 4, (uint)ifindex);
                Write32(HeaderSize + 8, handle);
                Write32(HeaderSize + 12, parent);
                Write32(HeaderSize + 16, info);
            }

            public void U32(ushort type, uint value)
            {
                var at = Begin(type, 4);
                Write32(at, value);
            }

            public void String(ushort type, string value)
            {
                var bytes = Encoding.UTF8.GetBytes(value);
                var at = Begin(type, bytes.Length + 1); // NUL-terminated: NLA_STRING and NLA_NUL_STRING both take it
                bytes.CopyTo(_buffer, at);
            }

            public int BeginNested(ushort type) => Begin((ushort)(type | NestedFlag), 0) - 4;

            public void EndNested(int start) => Write16(start, (ushort)(_length - start));

            /// <summary>The message with its length set; the channel stamps the sequence number.</summary>
            public byte[] Finish()
            {
                Write32(0, (uint)_length);
                return _buffer.AsSpan(0, _length).ToArray();
            }

            // An attribute header, then room for the payload (zeroed, so padding is zero); returns where the payload goes.
            private int Begin(ushort type, int payloadLength)
            {
                var start = _length;
                var total = Align(4 + payloadLength);
                if (start + total > _buffer.Length)
                {
                    Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, start + total));
                }

                Write16(start, (ushort)(4 + payloadLength));
                Write16(start + 2, type);
                _length = start + total;
                return start + 4;
            }

            private void Write16(int at, ushort value) => MemoryMarshal.Write(_buffer.AsSpan(at), in value);

            private void Write32(int at, uint value) => MemoryMarshal.Write(_buffer.AsSpan(at), in value);
        }

        /// <summary>A NETLINK_ROUTE socket for one operation: closed on dispose, whatever happened.</summary>
        private sealed class Channel : IDisposable
        {
            private readonly byte[] _receive = new byte[64 * 1024]; // a dump part is at most 32 KiB
            private int _fd;

            private Channel(int fd)
            {
                _fd = fd;
            }

            public static Channel Open(string where)
            {
                var fd = socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
                if (fd < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw new BpfException($"could not open a NETLINK_ROUTE socket to set up TC on {where}: {BpfSyscall.Describe(errno)}", errno);
                }

                // Best effort: older kernels without them still answer, only less precisely.
                var one = 1;
                _ = setsockopt(fd, SolNetlink, NetlinkCapAck, &one, sizeof(int));
                _ = setsockopt(fd, SolNetlink, NetlinkExtAck, &one, sizeof(int));
                return new Channel(fd);
            }

            public void Dispose()
            {
                BpfSyscall.Close(_fd);
                _fd = -1;
            }

            /// <summary>
            /// Sends the request and reads the answers to it until the acknowledgement (or, for a dump, NLMSG_DONE);
            /// other messages go to <paramref name="handler"/>. Returns 0 or the kernel's errno, with its text if it gave one.
            /// </summary>
            public int Exchange(byte[] request, MessageHandler? handler, out string? kernelText)
            {
                kernelText = null;
                var sequence = (uint)Interlocked.Increment(ref _sequence);
                MemoryMarshal.Write(request.AsSpan(8), in sequence);
                var kernel = new SocketAddress { Family = AfNetlink };
                long sent;
                fixed (byte* pointer = request)
                {
                    do
                    {
                        sent = sendto(_fd, pointer, (nuint)request.Length, 0, &kernel, (uint)sizeof(SocketAddress));
                    }
                    while (sent < 0 && Marshal.GetLastPInvokeError() == Errno.Interrupted);
                }

                if (sent < 0)
                {
                    return Marshal.GetLastPInvokeError();
                }

                while (true)
                {
                    long received;
                    fixed (byte* pointer = _receive)
                    {
                        do
                        {
                            received = recv(_fd, pointer, (nuint)_receive.Length, 0);
                        }
                        while (received < 0 && Marshal.GetLastPInvokeError() == Errno.Interrupted);
                    }

                    if (received < 0)
                    {
                        return Marshal.GetLastPInvokeError();
                    }

                    var data = _receive.AsSpan(0, (int)received);
                    for (var offset = 0; offset + HeaderSize <= data.Length;)
                    {
                        var length = (int)MemoryMarshal.Read<uint>(data.Slice(offset));
                        if (length < HeaderSize || offset + length > data.Length)
                        {
                            kernelText = "malformed netlink answer";
                            return Errno.BadMessage;
                        }

                        var message = data.Slice(offset, length);
                        offset += Align(length);
                        if (MemoryMarshal.Read<uint>(message.Slice(8)) != sequence)
                        {
                            continue; // not an answer to this request
                        }

                        var type = MemoryMarshal.Read<ushort>(message.Slice(4));
                        if (type is NlmsgError or NlmsgDone)
                        {
                            // Both carry an int: 0, or the negated errno (a DONE may omit it).
                            var error = message.Length >= HeaderSize + 4 ? -MemoryMarshal.Read<int>(message.Slice(HeaderSize)) : 0;
                            kernelText = error != 0 ? ExtendedAckText(message, type == NlmsgError) : null;
                            return error;
                        }

                        handler?.Invoke(type, message.Slice(HeaderSize));
                    }
                }
            }

            // NLMSGERR_ATTR_MSG of an extended acknowledgement: after the error and the request's header (and its payload unless capped).
            private static string? ExtendedAckText(ReadOnlySpan<byte> message, bool isError)
            {
                var flags = MemoryMarshal.Read<ushort>(message.Slice(6));
                if ((flags & FlagAckTlvs) == 0)
                {
                    return null;
                }

                var start = HeaderSize + 4;
                if (isError)
                {
                    if (message.Length < start + HeaderSize)
                    {
                        return null;
                    }

                    start += (flags & FlagCapped) != 0 ? HeaderSize : (int)MemoryMarshal.Read<uint>(message.Slice(start));
                }

                start = Align(start);
                return start < message.Length && Attribute(message.Slice(start), ErrorAttributeMessage) is { } text ? KernelObjects.CString(text) : null;
            }

            [StructLayout(LayoutKind.Sequential)]
            private struct SocketAddress // struct sockaddr_nl: port 0 is the kernel
            {
                public ushort Family;
                public ushort Padding;
                public uint Port;
                public uint Groups;
            }

            [DllImport("libc", SetLastError = true)]
            private static extern int socket(int domain, int type, int protocol);

            [DllImport("libc", SetLastError = true)]
            private static extern int setsockopt(int fd, int level, int name, void* value, uint length);

            [DllImport("libc", SetLastError = true)]
            private static extern long sendto(int fd, byte* buffer, nuint length, int flags, SocketAddress* address, uint addressLength);

            [DllImport("libc", SetLastError = true)]
            private static extern long recv(int fd, byte* buffer, nuint length, int flags);
        }
    }
}
