/* Generated from src/protocol/frames.ts by scripts/gen-protocol-header.ts. Do not edit. */
#ifndef REPRISE_PROTOCOL_H
#define REPRISE_PROTOCOL_H

#define RP_PROTOCOL_VERSION 1u
#define RP_FRAME_HEADER_SIZE 8u
#define RP_MAX_FRAME_PAYLOAD 16777216u
#define RP_SHIM_HOLD_LIMIT 8388608u

#define RP_FRAME_HELLO 1u
#define RP_FRAME_CALL 2u
#define RP_FRAME_ADMIN 3u
#define RP_FRAME_GO_OPEN 4u
#define RP_FRAME_GO_REQUEST 5u
#define RP_FRAME_GO_SERVED 6u
#define RP_FRAME_GO_MISSED 7u
#define RP_FRAME_WELCOME 129u
#define RP_FRAME_DECLINE 130u
#define RP_FRAME_STARTED 131u
#define RP_FRAME_STDOUT 132u
#define RP_FRAME_STDERR 133u
#define RP_FRAME_EXIT 134u
#define RP_FRAME_ADMIN_REPLY 135u
#define RP_FRAME_EXEC_ENV 136u
#define RP_FRAME_GO_REPLY 137u
#define RP_FRAME_RUNNING 138u

#define RP_SPAWNER_SPAWN 16u
#define RP_SPAWNER_KILL 17u
#define RP_SPAWNER_JOB_STARTED 144u
#define RP_SPAWNER_JOB_STDOUT 145u
#define RP_SPAWNER_JOB_STDERR 146u
#define RP_SPAWNER_JOB_EXIT 147u
#define RP_SPAWNER_JOB_FAILED 148u

#define RP_CALL_STDOUT_TTY 1u
#define RP_CALL_STDERR_TTY 2u
#define RP_CALL_STDIN_TTY 4u
#define RP_CAP_GO_QUIET_PUTS 1u
#define RP_CAP_RUNNING 2u

#define RP_FILE_SOCKET "daemon.sock"
#define RP_FILE_LOCK "daemon.lock"
#define RP_FILE_PID "daemon.pid"
#define RP_FILE_LOG "daemon.log"
#define RP_FILE_FALLBACKS "fallbacks"
#define RP_FILE_TICKETS "tickets"
#define RP_FILE_HITS "hits"
#define RP_FILE_GO_INDEX "go-index"

#define RP_TICKET_MAGIC "RPT2"
#define RP_TICKET_UNMATCHED_ENV "MAKEFLAGS=\0MFLAGS=\0GNUMAKEFLAGS=\0"
#define RP_CHECK_FILE 1u
#define RP_CHECK_ABSENT 2u
#define RP_CHECK_PRESENT 3u
#define RP_CHECK_DIR_GUARD 4u
#define RP_CHECK_SAME_NODE 5u
#define RP_CHECK_SAME_DIR 6u
#define RP_SOURCE_INLINE 0u
#define RP_SOURCE_BLOB 1u

#endif
